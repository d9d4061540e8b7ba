/**
 * The statistics table every paper prints for its datasets (users, items, interactions
 * per behaviour, categories per level, sparsity, activity per user and per item), and a
 * plain-text rendering of it for the `rec` command.
 */
import { itemPopularity } from './csr.js';
import type { Dataset } from './dataset.js';
import { userActivity } from './indexes.js';
import type { Interactions } from './interactions.js';
import type { CategoryTree } from './side-info/category-tree.js';
import type { ItemCategories } from './side-info/item-categories.js';

/**
 * Mean, median and extremes of a count over the users (or items) that have at least one row.
 * @example
 * ```ts
 * const { mean, median, max }: CountSummary = stats(log).perUser;
 * ```
 */
export interface CountSummary {
  readonly mean: number;
  /** The middle value; the mean of the two middle values for an even number of entries. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/**
 * One dataset's statistics, as {@link stats} computes them.
 * @example
 * ```ts
 * const table: DatasetStats = stats(dataset);
 * table.sparsity; // 0.937 for ml-100k
 * ```
 */
export interface DatasetStats {
  /** The dataset's name, when known (a `Dataset`'s, or `options.name`). */
  readonly name?: string;
  /** Users with at least one row (not `numUsers`, which a filtered log keeps). */
  readonly users: number;
  /** Items with at least one row. */
  readonly items: number;
  /** Rows. */
  readonly interactions: number;
  /** Distinct (user, item) pairs, over all behaviours. */
  readonly pairs: number;
  /** Rows per behaviour type, in `behaviorNames` order; absent for a log without behaviours. */
  readonly interactionsByBehavior?: readonly { readonly name: string; readonly count: number }[];
  /** Number of categories of a flat (multi-label) assignment, when one is given. */
  readonly categories?: number;
  /** Number of category-tree nodes at each depth (level 1 first), when a tree is given. */
  readonly categoriesPerLevel?: readonly number[];
  /** `1 − pairs / (users · items)`: the share of the user–item matrix without an interaction. */
  readonly sparsity: number;
  /** Rows per user, over the users present. */
  readonly perUser: CountSummary;
  /** Rows per item, over the items present. */
  readonly perItem: CountSummary;
}

/**
 * Options of {@link stats}; for a `Dataset` its own side information is the default.
 * @example
 * ```ts
 * stats(train, { name: 'ml-100k train' } satisfies StatsOptions);
 * ```
 */
export interface StatsOptions {
  /** Name shown in the table's header. */
  name?: string;
  /** A flat category assignment, for the category count. */
  itemCategories?: ItemCategories;
  /** A category hierarchy, for the categories per level. */
  categoryTree?: CategoryTree;
}

/** Summary of the nonzero entries of `counts`. */
function summarise(counts: Int32Array): CountSummary {
  const present = counts.filter((c) => c > 0).sort();
  const n = present.length;
  if (n === 0) return { mean: 0, median: 0, min: 0, max: 0 };
  let total = 0;
  for (let k = 0; k < n; k++) total += present[k];
  const median = n % 2 === 1 ? present[(n - 1) / 2] : (present[n / 2 - 1] + present[n / 2]) / 2;
  return { mean: total / n, median, min: present[0], max: present[n - 1] };
}

/** Distinct (user, item) pairs: sort each user's items and count changes. */
function countPairs(interactions: Interactions): number {
  const { numUsers, users, items, length } = interactions;
  const start = new Int32Array(numUsers + 1);
  for (let r = 0; r < length; r++) start[users[r] + 1]++;
  for (let u = 0; u < numUsers; u++) start[u + 1] += start[u];
  const byUser = new Int32Array(length);
  const cursor = start.slice(0, numUsers);
  for (let r = 0; r < length; r++) byUser[cursor[users[r]]++] = items[r];
  let pairs = 0;
  for (let u = 0; u < numUsers; u++) {
    const row = byUser.subarray(start[u], start[u + 1]).sort();
    for (let p = 0; p < row.length; p++) if (p === 0 || row[p] !== row[p - 1]) pairs++;
  }
  return pairs;
}

/**
 * The statistics table of a dataset or a log: users and items present, interactions in
 * all and per behaviour, distinct pairs, categories (flat count, and nodes per level of
 * a tree), sparsity, and rows per user and per item (mean, median, min, max). The
 * numbers the papers' dataset tables print (NMTR Table I, MRLR Table 1, the second-hand
 * paper's Table 1 and §4.1, CCRec Table 2), so a reproduction can check its data first.
 *
 * Choices: users and items are counted when they have a row, so a filtered log that
 * keeps its index spaces reports what it holds; sparsity counts distinct (user, item)
 * pairs over all behaviours, so repeats and a view-then-buy of one item fill one cell.
 * Cost: O(length log(rows per user)).
 *
 * @param source a `Dataset` (its name, `itemCategories` and `categoryTree` are used
 *   unless `options` gives others) or an `Interactions`.
 * @example
 * ```ts
 * const { interactions } = await readMovieLens100K(dir);
 * const table = stats(interactions, { name: 'ml-100k' });
 * table.users;    // 943
 * table.sparsity; // 0.93695
 * console.log(formatStats(table));
 * ```
 * @see Gao et al., NMTR, Table I; Yu & Gan, second-hand recommendation, Table 1; CCRec, Table 2.
 */
export function stats(source: Dataset | Interactions, options: StatsOptions = {}): DatasetStats {
  const dataset = 'interactions' in source ? source : undefined;
  const interactions = 'interactions' in source ? source.interactions : source;
  const name = options.name ?? dataset?.name;
  const itemCategories = options.itemCategories ?? dataset?.itemCategories;
  const categoryTree = options.categoryTree ?? dataset?.categoryTree;

  const perUserCounts = userActivity(interactions);
  const perItemCounts = itemPopularity(interactions);
  const perUser = summarise(perUserCounts);
  const perItem = summarise(perItemCounts);
  let users = 0;
  for (const c of perUserCounts) if (c > 0) users++;
  let items = 0;
  for (const c of perItemCounts) if (c > 0) items++;
  const pairs = countPairs(interactions);

  const out: { -readonly [K in keyof DatasetStats]: DatasetStats[K] } = {
    users,
    items,
    interactions: interactions.length,
    pairs,
    sparsity: users * items === 0 ? 1 : 1 - pairs / (users * items),
    perUser,
    perItem,
  };
  if (name !== undefined) out.name = name;
  const { behaviors, behaviorNames } = interactions;
  if (behaviors !== undefined && behaviorNames !== undefined) {
    const counts = new Array<number>(behaviorNames.length).fill(0);
    for (let r = 0; r < interactions.length; r++) counts[behaviors[r]]++;
    out.interactionsByBehavior = behaviorNames.map((b, k) => ({ name: b, count: counts[k] }));
  }
  if (itemCategories !== undefined) out.categories = itemCategories.numCategories;
  if (categoryTree !== undefined) {
    const perLevel = new Array<number>(categoryTree.levels).fill(0);
    for (const d of categoryTree.depths) perLevel[d]++;
    out.categoriesPerLevel = perLevel;
  }
  return out;
}

/** `1234567` → `1,234,567`, locale-independent. */
function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.round(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** An integer as a count, anything else with `decimals` decimals and grouped thousands. */
function formatNumber(x: number, decimals: number): string {
  if (Number.isInteger(x)) return formatCount(x);
  const [whole, fraction] = x.toFixed(decimals).split('.');
  return `${formatCount(Number(whole))}.${fraction}`;
}

/**
 * Renders one or more {@link DatasetStats} as an aligned plain-text table: one column per
 * dataset (headed by its name), one row per statistic, labels left-aligned and numbers
 * right-aligned, thousands grouped with commas, sparsity as a percentage with two
 * decimals. Rows a dataset lacks (a behaviour, a category level) show `—`. What
 * `rec stats` prints; no trailing spaces, lines joined with `\n`.
 *
 * @example
 * ```ts
 * console.log(formatStats(stats(ml100k, { name: 'ml-100k' })));
 * //                     ml-100k
 * // users                   943
 * // items                 1,682
 * // interactions        100,000
 * // …
 * // sparsity             93.70%
 * ```
 */
export function formatStats(input: DatasetStats | readonly DatasetStats[]): string {
  const tables: readonly DatasetStats[] = Array.isArray(input) ? input : [input as DatasetStats];
  const missing = '—';
  const rows: [string, ...string[]][] = [];
  const add = (label: string, cell: (s: DatasetStats) => string | undefined): void => {
    rows.push([label, ...tables.map((s) => cell(s) ?? missing)]);
  };

  add('users', (s) => formatCount(s.users));
  add('items', (s) => formatCount(s.items));
  add('interactions', (s) => formatCount(s.interactions));
  const behaviorNames: string[] = [];
  for (const s of tables) for (const b of s.interactionsByBehavior ?? []) if (!behaviorNames.includes(b.name)) behaviorNames.push(b.name);
  for (const name of behaviorNames) {
    add(`  ${name}`, (s) => {
      const entry = s.interactionsByBehavior?.find((b) => b.name === name);
      return entry && formatCount(entry.count);
    });
  }
  add('user-item pairs', (s) => formatCount(s.pairs));
  if (tables.some((s) => s.categories !== undefined)) add('categories', (s) => s.categories !== undefined ? formatCount(s.categories) : undefined);
  const levels = Math.max(0, ...tables.map((s) => s.categoriesPerLevel?.length ?? 0));
  for (let level = 0; level < levels; level++) {
    add(`categories, level ${level + 1}`, (s) => {
      const n = s.categoriesPerLevel?.[level];
      return n === undefined ? undefined : formatCount(n);
    });
  }
  add('sparsity', (s) => `${(s.sparsity * 100).toFixed(2)}%`);
  for (const [label, pick] of [
    ['per user', (s: DatasetStats) => s.perUser],
    ['per item', (s: DatasetStats) => s.perItem],
  ] as const) {
    add(`${label}: mean`, (s) => formatNumber(pick(s).mean, 2));
    add(`${label}: median`, (s) => formatNumber(pick(s).median, 1));
    add(`${label}: min`, (s) => formatCount(pick(s).min));
    add(`${label}: max`, (s) => formatCount(pick(s).max));
  }

  const header = ['', ...tables.map((s, k) => s.name ?? (tables.length > 1 ? `#${k + 1}` : ''))];
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  return all
    .map((row) => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[0]) : cell.padStart(widths[c]))).join('  ').trimEnd())
    .join('\n');
}
