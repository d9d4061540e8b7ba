import { describe, expect, it } from 'vitest';
import { CategoryTree } from './category-tree.js';
import { ItemCategories } from './item-categories.js';

describe('CategoryTree', () => {
  // Clothes ─┬─ Shoes ─┬─ Boots
  //          │         └─ Sandals
  //          └─ Coats
  // Books ── Novels
  const tree = CategoryTree.fromParents(['Clothes', 'Shoes', 'Boots', 'Sandals', 'Coats', 'Books', 'Novels'], [-1, 0, 1, 1, 0, -1, 5]);

  it('knows parents, depths, children, siblings, levels and paths', () => {
    expect(tree.size).toBe(7);
    expect(tree.levels).toBe(3);
    expect([...tree.depths]).toEqual([0, 1, 2, 2, 1, 0, 1]);
    expect([...tree.children(0)]).toEqual([1, 4]);
    expect([...tree.children(2)]).toEqual([]);
    expect([...tree.siblings(2)]).toEqual([3]);
    expect([...tree.siblings(0)]).toEqual([5]);
    expect([...tree.roots()]).toEqual([0, 5]);
    expect([...tree.level(2)]).toEqual([2, 3]);
    expect([...tree.pathOf(3)]).toEqual([0, 1, 3]);
    expect(tree.ancestorAt(3, 0)).toBe(0);
    expect(tree.isLeaf(4)).toBe(true);
    expect(tree.isLeaf(1)).toBe(false);
  });

  it('rejects an unknown parent, naming the category and the file', () => {
    expect(() => CategoryTree.fromParents(['A', 'B'], [-1, 7], 'cats.tsv')).toThrow(/cats.tsv: category 1 \('B'\) has unknown parent 7/);
  });

  it('rejects a cycle, naming the categories in it', () => {
    expect(() => CategoryTree.fromParents(['A', 'B', 'C', 'D'], [-1, 3, 1, 2], 'cats.tsv')).toThrow(/cats.tsv: the parent links form a cycle through .*'B'.*'D'|cats.tsv: the parent links form a cycle/);
    expect(() => CategoryTree.fromParents(['Self'], [0], 'cats.tsv')).toThrow(/cycle through 'Self'/);
  });

  it('builds nodes per path prefix, so a name under two parents is two nodes', () => {
    const { tree: t, leafOf } = CategoryTree.fromPaths([['Restaurants', 'Vietnamese'], ['Food', 'Vietnamese'], ['Restaurants'], []]);
    expect(t.size).toBe(4);
    expect(leafOf[0]).not.toBe(leafOf[1]);
    expect(t.names[leafOf[0]]).toBe('Vietnamese');
    expect(t.names[t.parents[leafOf[1]]]).toBe('Food');
    expect(leafOf[2]).toBe(t.parents[leafOf[0]]);
    expect(leafOf[3]).toBe(-1);
  });
});

describe('ItemCategories', () => {
  it('dedupes and sorts lists, and inverts to items per category', () => {
    const cats = ItemCategories.fromLists([[2, 0, 2], [], [1]], ['Action', 'Comedy', 'Drama']);
    expect([...cats.of(0)]).toEqual([0, 2]);
    expect([...cats.of(1)]).toEqual([]);
    const inv = cats.itemsByCategory();
    expect([...inv.indptr]).toEqual([0, 1, 2, 3]);
    expect([...inv.indices]).toEqual([0, 2, 0]);
  });

  it('rejects an unknown category naming the item and the source', () => {
    expect(() => ItemCategories.fromLists([[0, 5]], ['A'], 'u.item')).toThrow(/u.item: item 0 has unknown category 5/);
  });
});
