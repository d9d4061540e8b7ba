import { describe, expect, it } from 'vitest';
import type { Dataset } from './dataset.js';
import { createInteractions, IdMap } from './interactions.js';
import { readMovieLens100K } from './readers/movielens.js';
import { CategoryTree } from './side-info/category-tree.js';
import { ItemCategories } from './side-info/item-categories.js';
import { formatStats, stats } from './stats.js';
import { requireDataset } from './testing/index.js';

// Three users, four items (item 3 never seen), view → cart → buy:
// user 0: view 0, view 1, cart 1, buy 1, view 0 again; user 1: view 2, buy 2; user 2: view 1
const interactions = createInteractions({
  users: Int32Array.of(0, 0, 0, 0, 0, 1, 1, 2),
  items: Int32Array.of(0, 1, 1, 1, 0, 2, 2, 1),
  behaviors: Uint8Array.of(0, 0, 1, 2, 0, 0, 2, 0),
  behaviorNames: ['view', 'cart', 'buy'],
  numUsers: 4,
  numItems: 4,
});
const tree = CategoryTree.fromParents(['Baby', 'Toys', 'Food', 'Blocks', 'Dolls', 'Milk'], [-1, 0, 0, 1, 1, 2]);
const dataset: Dataset = {
  name: 'tiny-shop',
  interactions,
  userIds: new IdMap(['u0', 'u1', 'u2', 'u3']),
  itemIds: new IdMap(['i0', 'i1', 'i2', 'i3']),
  splits: {},
  itemCategories: ItemCategories.fromLists([[0], [0, 1], [2], []], ['new', 'sale', 'gift']),
  categoryTree: tree,
  itemLeafCategory: Int32Array.of(3, 4, 5, -1),
};

describe('stats', () => {
  it('counts a hand-made multi-behaviour dataset', () => {
    const table = stats(dataset);
    expect(table).toEqual({
      name: 'tiny-shop',
      users: 3, // user 3 has no row
      items: 3, // item 3 has no row
      interactions: 8,
      pairs: 4, // (0,0) (0,1) (1,2) (2,1)
      interactionsByBehavior: [
        { name: 'view', count: 5 },
        { name: 'cart', count: 1 },
        { name: 'buy', count: 2 },
      ],
      categories: 3,
      categoriesPerLevel: [1, 2, 3],
      sparsity: 1 - 4 / 9,
      perUser: { mean: 8 / 3, median: 2, min: 1, max: 5 },
      perItem: { mean: 8 / 3, median: 2, min: 2, max: 4 },
    });
  });

  it('takes a bare log, with side information and a name from options', () => {
    const table = stats(interactions, { name: 'log', categoryTree: tree });
    expect(table.name).toBe('log');
    expect(table.categories).toBeUndefined();
    expect(table.categoriesPerLevel).toEqual([1, 2, 3]);
    const plain = stats(createInteractions({ users: Int32Array.of(0, 1, 1, 2), items: Int32Array.of(0, 0, 1, 1) }));
    expect(plain.name).toBeUndefined();
    expect(plain.interactionsByBehavior).toBeUndefined();
    expect(plain.perUser.median).toBe(1);
    expect(plain.sparsity).toBeCloseTo(1 - 4 / 6, 12);
  });

  it('renders an aligned text table', () => {
    expect(formatStats(stats(dataset))).toBe(
      [
        '                     tiny-shop',
        'users                        3',
        'items                        3',
        'interactions                 8',
        '  view                       5',
        '  cart                       1',
        '  buy                        2',
        'user-item pairs              4',
        'categories                   3',
        'categories, level 1          1',
        'categories, level 2          2',
        'categories, level 3          3',
        'sparsity                55.56%',
        'per user: mean            2.67',
        'per user: median             2',
        'per user: min                1',
        'per user: max                5',
        'per item: mean            2.67',
        'per item: median             2',
        'per item: min                2',
        'per item: max                4',
      ].join('\n'),
    );
  });

  it('renders several datasets side by side, with — where one lacks a row', () => {
    const lines = formatStats([stats(dataset), stats(interactions, { name: 'no categories' })]).split('\n');
    expect(lines[0]).toBe('                     tiny-shop  no categories');
    expect(lines.find((l) => l.startsWith('categories, level 2'))).toBe('categories, level 2          2              —');
    const widths = new Set(lines.map((l) => l.length));
    expect(widths.size).toBe(1); // every line is as wide as the table
  });

  it('gives the ml-100k numbers', async (ctx) => {
    const dir = requireDataset(ctx, 'ml-100k');
    const { interactions: log } = await readMovieLens100K(dir);
    const table = stats(log, { name: 'ml-100k' });
    expect(table.users).toBe(943);
    expect(table.items).toBe(1682);
    expect(table.interactions).toBe(100_000);
    expect(table.pairs).toBe(100_000);
    expect(table.sparsity).toBeCloseTo(0.937, 3);
    expect(table.sparsity).toBeCloseTo(1 - 100_000 / (943 * 1682), 12);
    expect(table.perUser).toEqual({ mean: 100_000 / 943, median: 65, min: 20, max: 737 });
    expect(table.perItem).toEqual({ mean: 100_000 / 1682, median: 27, min: 1, max: 583 });
    const text = formatStats(table);
    expect(text).toContain('interactions      100,000');
    expect(text).toContain('sparsity           93.70%');
    expect(text).toContain('per user: mean     106.04');
  });
});
