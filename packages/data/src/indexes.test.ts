import { describe, expect, it } from 'vitest';
import { itemPopularity } from './csr.js';
import {
  ALL_BEHAVIORS,
  categoryItemIndex,
  categorySiblings,
  itemCategoryAtDepth,
  itemPopularityByBehavior,
  positivesByBehavior,
  resolveBehavior,
  rowsByUser,
  userActivity,
} from './indexes.js';
import { createInteractions } from './interactions.js';
import { CategoryTree } from './side-info/category-tree.js';
import { ItemCategories } from './side-info/item-categories.js';

// user 0: view 1@5, buy 1@9, view 2@5, view 1@7 (a repeat); user 1: nothing; user 2: cart 0@1, buy 3@0
const log = createInteractions({
  users: Int32Array.of(0, 2, 0, 0, 2, 0),
  items: Int32Array.of(1, 0, 1, 2, 3, 1),
  timestamps: Float64Array.of(5, 1, 9, 5, 0, 7),
  behaviors: Uint8Array.of(0, 1, 2, 0, 2, 0),
  behaviorNames: ['view', 'cart', 'buy'],
  numUsers: 3,
  numItems: 5,
});
const ratingsOnly = createInteractions({ users: Int32Array.of(0, 1, 1), items: Int32Array.of(2, 2, 0), numItems: 3 });

describe('rowsByUser', () => {
  it("lists each user's rows in row order", () => {
    const { indptr, indices } = rowsByUser(log);
    expect(Array.from(indptr)).toEqual([0, 4, 4, 6]);
    expect(Array.from(indices)).toEqual([0, 2, 3, 5, 1, 4]);
  });

  it('orders by time with byTime, ties in row order', () => {
    const { indices } = rowsByUser(log, { byTime: true });
    expect(Array.from(indices)).toEqual([0, 3, 5, 2, 4, 1]);
    expect(() => rowsByUser(ratingsOnly, { byTime: true })).toThrow('rowsByUser: byTime needs a log with timestamps');
  });
});

describe('userActivity and resolveBehavior', () => {
  it('counts rows per user', () => {
    expect(Array.from(userActivity(log))).toEqual([4, 0, 2]);
  });

  it('resolves names, indexes and the default target', () => {
    expect(resolveBehavior(log, 'cart')).toBe(1);
    expect(resolveBehavior(log, 2)).toBe(2);
    expect(resolveBehavior(log)).toBe(2);
    expect(() => resolveBehavior(log, 'click')).toThrow("resolveBehavior: unknown behaviour 'click'; the log has 'view', 'cart', 'buy'");
    expect(() => resolveBehavior(log, 3)).toThrow('resolveBehavior: behaviour index 3 is outside [0, 3); the log has view, cart, buy');
    expect(() => resolveBehavior(ratingsOnly)).toThrow('resolveBehavior: the log has no behaviour types');
  });
});

describe('positivesByBehavior and itemPopularityByBehavior', () => {
  it('builds one deduplicated CSR per behaviour', () => {
    const positives = positivesByBehavior(log);
    expect(Object.keys(positives)).toEqual(['view', 'cart', 'buy']);
    expect(Array.from(positives.view!.rowOf(0))).toEqual([1, 2]);
    expect(Array.from(positives.buy!.rowOf(0))).toEqual([1]);
    expect(Array.from(positives.buy!.rowOf(2))).toEqual([3]);
    expect(positives.cart!.has(2, 0)).toBe(true);
    expect(positives.cart!.has(0, 1)).toBe(false);
    expect(positives.view!.numItems).toBe(5);
  });

  it('counts rows per item and behaviour', () => {
    const popularity = itemPopularityByBehavior(log);
    expect(Array.from(popularity.view!)).toEqual([0, 2, 1, 0, 0]);
    expect(Array.from(popularity.cart!)).toEqual([1, 0, 0, 0, 0]);
    expect(Array.from(popularity.buy!)).toEqual([0, 1, 0, 1, 0]);
    const total = new Int32Array(5);
    for (const counts of Object.values(popularity)) counts.forEach((c, i) => (total[i]! += c));
    expect(Array.from(total)).toEqual(Array.from(itemPopularity(log)));
  });

  it(`falls back to one '${ALL_BEHAVIORS}' entry for a log without behaviours`, () => {
    expect(Object.keys(positivesByBehavior(ratingsOnly))).toEqual([ALL_BEHAVIORS]);
    expect(Array.from(positivesByBehavior(ratingsOnly)[ALL_BEHAVIORS]!.rowOf(1))).toEqual([0, 2]);
    expect(Array.from(itemPopularityByBehavior(ratingsOnly)[ALL_BEHAVIORS]!)).toEqual([1, 0, 2]);
  });
});

describe('categoryItemIndex', () => {
  it('reuses ItemCategories for both directions', () => {
    const cats = ItemCategories.fromLists([[2, 0], [], [1], [0]], ['Action', 'Comedy', 'Drama']);
    const index = categoryItemIndex(cats);
    expect(index.numCategories).toBe(3);
    expect(Array.from(index.itemToCategories.indices)).toEqual([0, 2, 1, 0]);
    expect(Array.from(index.categoryToItems.indptr)).toEqual([0, 2, 3, 4]);
    expect(Array.from(index.categoryToItems.indices)).toEqual([0, 3, 2, 0]);
  });

  it('builds both directions from one category per item', () => {
    const index = categoryItemIndex(Int32Array.of(1, -1, 1, 0), 3);
    expect(Array.from(index.itemToCategories.indptr)).toEqual([0, 1, 1, 2, 3]);
    expect(Array.from(index.itemToCategories.indices)).toEqual([1, 1, 0]);
    expect(Array.from(index.categoryToItems.indptr)).toEqual([0, 1, 3, 3]);
    expect(Array.from(index.categoryToItems.indices)).toEqual([3, 0, 2]);
    expect(categoryItemIndex(Int32Array.of(4)).numCategories).toBe(5);
    expect(() => categoryItemIndex(Int32Array.of(0, 3), 3)).toThrow('categoryItemIndex: item 1 has category 3, outside [−1, numCategories = 3)');
  });
});

describe('categorySiblings and itemCategoryAtDepth', () => {
  // Clothes ─┬─ Shoes ─┬─ Boots
  //          │         └─ Sandals
  //          └─ Coats
  // Books ── Novels
  const tree = CategoryTree.fromParents(['Clothes', 'Shoes', 'Boots', 'Sandals', 'Coats', 'Books', 'Novels'], [-1, 0, 1, 1, 0, -1, 5]);

  it("lists every node's siblings as the tree does", () => {
    const { indptr, indices } = categorySiblings(tree);
    for (let c = 0; c < tree.size; c++) {
      expect(Array.from(indices.subarray(indptr[c], indptr[c + 1]))).toEqual(Array.from(tree.siblings(c)));
    }
    expect(indices.length).toBe(2 + 2 + 2 + 0); // roots, Shoes/Coats, Boots/Sandals, Novels alone
  });

  it("maps each item's leaf to its ancestor at a depth", () => {
    const leafOf = Int32Array.of(2, 4, -1, 6, 0);
    expect(Array.from(itemCategoryAtDepth(tree, leafOf, 0))).toEqual([0, 0, -1, 5, 0]);
    expect(Array.from(itemCategoryAtDepth(tree, leafOf, 1))).toEqual([1, 4, -1, 6, -1]);
    expect(Array.from(itemCategoryAtDepth(tree, leafOf, 2))).toEqual([2, -1, -1, -1, -1]);
    expect(() => itemCategoryAtDepth(tree, Int32Array.of(9), 0)).toThrow('itemCategoryAtDepth: item 0 has node 9, but the tree has 7 nodes');
  });
});
