/**
 * Full-ranking evaluation: every user's held-out items are ranked against all items,
 * with the user's train items removed from the candidates.
 */
import { sortedHas } from '@rec/core';
import { RANKING_METRICS, type RankingMetricName } from '../metrics.js';
import { topKIndices } from '../topk.js';

/**
 * Per-user item lists in CSR form: user u's items are
 * `indices[indptr[u] .. indptr[u+1])`, sorted ascending without duplicates.
 * `UserItemCSR` from `@rec/data` has this shape; it is matched structurally so that
 * `@rec/eval` does not depend on `@rec/data`.
 * @example
 * ```ts
 * // users 0 and 1; user 0 has items 2 and 5, user 1 has item 0
 * const rows: ItemRows = { indptr: Int32Array.of(0, 2, 3), indices: Int32Array.of(2, 5, 0) };
 * ```
 */
export interface ItemRows {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
}

/**
 * Each user's relevant items: CSR rows, or one sorted Int32Array per user (index =
 * user; `undefined` or empty for users without test items).
 * @example
 * ```ts
 * const testItems: PerUserItems = [Int32Array.of(4), undefined, Int32Array.of(1, 7)];
 * ```
 */
export type PerUserItems = ItemRows | readonly (Int32Array | undefined)[];

/**
 * Returns the best `k` items of each user of a block, best first, row-major
 * `users.length × k`, with each user's train items already excluded; −1 pads a
 * row when fewer than k items remain.
 * @example
 * ```ts
 * const rankUsers: RankUsers = (users, k) => rankTopK(userFactors, itemFactors, users, trainMask, k);
 * ```
 */
export type RankUsers = (users: Int32Array, k: number) => Int32Array | Promise<Int32Array>;

/**
 * Scores all items for a block of users: returns a row-major
 * `users.length × numItems` array, row b holding the scores of user `users[b]`.
 * May be async (a GPU read-back).
 * @example
 * ```ts
 * // Most-popular: every user gets the item popularity as scores.
 * const scoreUsers: ScoreUsers = (users) => {
 *   const out = new Float32Array(users.length * numItems);
 *   for (let b = 0; b < users.length; b++) out.set(popularity, b * numItems);
 *   return out;
 * };
 * ```
 */
export type ScoreUsers = (users: Int32Array) => Float32Array | Float64Array | Promise<Float32Array | Float64Array>;

/**
 * Options of {@link evaluateFullRanking}.
 * @example
 * ```ts
 * const options: FullRankingOptions = { numItems, testItems, trainMask, scoreUsers, ks: [10, 20], blockSize: 256 };
 * await evaluateFullRanking(options);
 * ```
 */
export interface FullRankingOptions {
  /** Number of items; every score row has this length. */
  numItems: number;
  /** The held-out items of each user (the relevant set). */
  testItems: PerUserItems;
  /**
   * Each user's train items, excluded from that user's ranking so a model is not
   * rewarded for recommending what the user already has. Rows must be sorted ascending
   * (a `UserItemCSR` is).
   */
  trainMask: ItemRows;
  /** The model: scores for a block of users. Give this or {@link FullRankingOptions.rankUsers}. */
  scoreUsers?: ScoreUsers;
  /**
   * Instead of scores, the top K of a block of users, already masked (e.g. the
   * `rank_topk` kernel, which scores, masks and selects in one pass without
   * materialising the score matrix). Every returned item is checked against the
   * train mask, so a ranker that forgets to mask fails loudly.
   */
  rankUsers?: RankUsers;
  /** Cut-offs, e.g. `[10]` or `[5, 10, 20]`. */
  ks: readonly number[];
  /**
   * Users to evaluate. Default: every user with at least one test item. A listed user
   * without test items is an error (their metrics are undefined).
   */
  users?: Int32Array;
  /** Metrics to compute at each K (default `['HR', 'NDCG']`), see `RANKING_METRICS`. */
  metrics?: readonly RankingMetricName[];
  /**
   * Bytes of scores one `scoreUsers` call may return; the user block size derives from
   * it as `userBlockSize(numItems, memoryBudgetBytes)`: ⌊budget / (numItems × 4)⌋
   * users (scores counted as float32), at least 1. Default
   * {@link DEFAULT_MEMORY_BUDGET_BYTES} (64 MiB, 2^24 float32 scores: 1,403 users of
   * 11,953 items, 1 user of 50 million). Larger budgets amortise per-call overhead
   * (kernel launches, GPU read-backs); a scorer returning Float64Array uses twice
   * the budget, and one user's row is the floor whatever the budget.
   */
  memoryBudgetBytes?: number;
  /**
   * Users scored per `scoreUsers` call; overrides `memoryBudgetBytes`. Memory is
   * `blockSize × numItems` scores.
   */
  blockSize?: number;
  /** Called after each block with users done so far and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Also return every user's metric values (for breakdowns and significance tests). */
  perUser?: boolean;
}

/**
 * Per-user values, aligned with `users`.
 * @example
 * ```ts
 * const { perUser } = await evaluateFullRanking({ ...options, perUser: true });
 * perUser?.metrics['NDCG@10']; // Float64Array aligned with perUser.users
 * ```
 */
export interface PerUserMetrics {
  readonly users: Int32Array;
  readonly metrics: Readonly<Record<string, Float64Array>>;
}

/**
 * The outcome of {@link evaluateFullRanking}.
 * @example
 * ```ts
 * const result: FullRankingResult = await evaluateFullRanking(options);
 * console.log(`HR@10 ${result.metrics['HR@10']} over ${result.numUsers} users`);
 * ```
 */
export interface FullRankingResult {
  readonly protocol: 'full-ranking';
  /** What was removed from each user's candidates. */
  readonly masked: 'train items';
  /** Users evaluated (the denominator of every mean). */
  readonly numUsers: number;
  /** Items ranked per user before masking. */
  readonly numItems: number;
  readonly ks: readonly number[];
  /** Mean over users, keyed `${metric}@${k}`: `HR@10`, `NDCG@10`, … */
  readonly metrics: Readonly<Record<string, number>>;
  /** Present when `perUser: true` was asked for. */
  readonly perUser?: PerUserMetrics;
}

/**
 * The default score memory of one protocol block: 64 MiB, i.e. 2^24 float32 scores.
 * @example
 * ```ts
 * userBlockSize(numItems, DEFAULT_MEMORY_BUDGET_BYTES / 4); // a quarter of the default block
 * ```
 */
export const DEFAULT_MEMORY_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * How many users' score rows fit a memory budget: ⌊memoryBudgetBytes / (numItems ×
 * 4)⌋, scores counted as float32, at least 1 (one user's row is the floor: a row
 * larger than the budget is still scored, alone). Protocols that score users in
 * blocks (`evaluateFullRanking`, `evaluateCategoryRanking`, `evaluateAUC`) take their
 * default block size from it.
 *
 * @param numItems - row length (items, or categories), a positive integer.
 * @param memoryBudgetBytes - bytes of scores per block; default
 *   {@link DEFAULT_MEMORY_BUDGET_BYTES}.
 * @param caller - names the protocol in error messages.
 * @throws Error when numItems is not a positive integer or the budget is not a
 *   positive finite number.
 * @example
 * ```ts
 * userBlockSize(11_953);                   // 1403 users per block (ml-1m-sized catalogue)
 * userBlockSize(50_000_000);               // 1: a 200 MB row exceeds 64 MiB, scored alone
 * userBlockSize(1_000, 4 * 1_000 * 8);     // 8
 * ```
 */
export function userBlockSize(numItems: number, memoryBudgetBytes = DEFAULT_MEMORY_BUDGET_BYTES, caller = 'userBlockSize'): number {
  if (!Number.isInteger(numItems) || numItems <= 0) {
    throw new Error(`${caller}: numItems must be a positive integer, got ${String(numItems)}`);
  }
  if (!(Number.isFinite(memoryBudgetBytes) && memoryBudgetBytes > 0)) {
    throw new Error(
      `${caller}: memoryBudgetBytes must be a positive number of bytes, got ${String(memoryBudgetBytes)}`,
    );
  }
  return Math.max(1, Math.floor(memoryBudgetBytes / (numItems * 4)));
}

function isItemRows(items: PerUserItems): items is ItemRows {
  return !Array.isArray(items) && (items as ItemRows).indptr instanceof Int32Array;
}

/**
 * Uniform row access over both {@link PerUserItems} forms. Shared by the protocols of
 * this package; not exported from the package index.
 * @internal
 * @example
 * ```ts
 * const test = rowAccess(testItems, 'testItems', 'evaluateSampledRanking');
 * test.row(3); // user 3's items (a view, not a copy)
 * ```
 */
export function rowAccess(
  items: PerUserItems,
  what: string,
  caller = 'evaluateFullRanking',
): { numUsers: number; row: (user: number) => Int32Array } {
  if (isItemRows(items)) {
    const { indptr, indices } = items;
    if (indptr.length < 1) throw new Error(`${caller}: ${what}.indptr is empty`);
    return { numUsers: indptr.length - 1, row: (u) => indices.subarray(indptr[u], indptr[u + 1]) };
  }
  const rows = items as readonly (Int32Array | undefined)[];
  const empty = new Int32Array(0);
  return { numUsers: rows.length, row: (u) => rows[u] ?? empty };
}


/**
 * The users a protocol evaluates by default: every user with at least one test item.
 * @internal
 * @example
 * ```ts
 * const users = options.users ?? usersWithTestItems(rowAccess(testItems, 'testItems'));
 * ```
 */
export function usersWithTestItems(test: { numUsers: number; row: (user: number) => Int32Array }): Int32Array {
  const found: number[] = [];
  for (let u = 0; u < test.numUsers; u++) if (test.row(u).length > 0) found.push(u);
  return Int32Array.from(found);
}

/**
 * Averages each metric column over `n` users (or rows); 0 when there are none.
 * @internal
 * @example
 * ```ts
 * columnMeans([{ key: 'HR@10' }], [Float64Array.of(1, 0)], 2); // { 'HR@10': 0.5 }
 * ```
 */
export function columnMeans(columns: readonly { key: string }[], values: readonly Float64Array[], n: number): Record<string, number> {
  const metrics: Record<string, number> = {};
  columns.forEach(({ key }, c) => {
    let sum = 0;
    for (const v of values[c]) sum += v;
    metrics[key] = n === 0 ? 0 : sum / n;
  });
  return metrics;
}

type RowAccess = ReturnType<typeof rowAccess>;

/** Scores a block and selects each user's masked top K (row-major block × k, −1 padded). */
async function scoredBlock(scoreUsers: ScoreUsers, block: Int32Array, numItems: number, k: number, train: RowAccess): Promise<Int32Array> {
  const scores = await scoreUsers(block);
  const expected = block.length * numItems;
  if (!(scores instanceof Float32Array || scores instanceof Float64Array) || scores.length !== expected) {
    const got = scores instanceof Float32Array || scores instanceof Float64Array ? `${scores.length}` : typeof scores;
    throw new Error(
      `evaluateFullRanking: scoreUsers returned ${got} scores for ${block.length} users × ${numItems} items; ` +
        `expected a Float32Array of ${expected}`,
    );
  }
  const out = new Int32Array(block.length * k).fill(-1);
  for (let b = 0; b < block.length; b++) {
    const row = scores.subarray(b * numItems, (b + 1) * numItems);
    out.set(topKIndices(row, k, train.row(block[b])), b * k);
  }
  return out;
}

/** Takes a ranker's block of top-K lists, checking its shape and that it masked the train items. */
async function rankedBlock(rankUsers: RankUsers, block: Int32Array, k: number, train: RowAccess): Promise<Int32Array> {
  const ranked = await rankUsers(block, k);
  if (!(ranked instanceof Int32Array) || ranked.length !== block.length * k) {
    const got = ranked instanceof Int32Array ? `${ranked.length}` : typeof ranked;
    throw new Error(`evaluateFullRanking: rankUsers returned ${got} items for ${block.length} users × k = ${k}; expected an Int32Array of ${block.length * k}`);
  }
  for (let b = 0; b < block.length; b++) {
    const masked = train.row(block[b]);
    for (let j = 0; j < k; j++) {
      const item = ranked[b * k + j];
      if (item >= 0 && sortedHas(masked, item)) {
        throw new Error(`evaluateFullRanking: rankUsers ranked user ${block[b]}'s train item ${item}; a ranker must exclude train items`);
      }
    }
  }
  return ranked;
}

/**
 * Full-ranking evaluation with train-item masking: for each user, score all items,
 * drop the user's train items, take the top max(ks), and average each metric over
 * users. This is the "all-ranking" protocol (Krichene & Rendle, "On Sampled Metrics
 * for Item Recommendation", KDD 2020), which unlike sampled-negative evaluation
 * (NCF's 100 negatives) preserves the ordering of models. With `leaveLastOut` from
 * `@rec/data` it gives the leave-one-out HR@K / NDCG@K of He et al. 2017 over all items.
 *
 * Users are processed in blocks, so memory is bounded by one block of scores whatever
 * the number of users: `blockSize` users, by default as many as fit
 * `memoryBudgetBytes` (64 MiB of float32 scores, see {@link userBlockSize});
 * `scoreUsers` is awaited one block at a time.
 * Ties in scores are broken by lower item index (see `topKIndices`).
 *
 * @throws Error naming the problem: bad ks / blockSize / numItems, a user out of range or
 * without test items, a test item that is also a train item of the same user (a
 * leaking split), or a score array of the wrong length (expected and got).
 * @example
 * ```ts
 * const { train, test } = leaveLastOut(interactions, { seed: 1 });
 * const result = await evaluateFullRanking({
 *   numItems: interactions.numItems,
 *   testItems: UserItemCSR.fromInteractions(test),
 *   trainMask: UserItemCSR.fromInteractions(train),
 *   scoreUsers: (users) => model.scoreAll(users),
 *   ks: [10],
 * });
 * result.metrics['HR@10'];
 * ```
 */
export async function evaluateFullRanking(options: FullRankingOptions): Promise<FullRankingResult> {
  const { numItems, scoreUsers, rankUsers, onProgress } = options;
  if ((scoreUsers === undefined) === (rankUsers === undefined)) {
    throw new Error('evaluateFullRanking: give exactly one of scoreUsers (scores of every item) or rankUsers (a masked top K)');
  }
  if (!Number.isInteger(numItems) || numItems <= 0) {
    throw new Error(`evaluateFullRanking: numItems must be a positive integer, got ${String(numItems)}`);
  }
  const ks = Array.from(options.ks);
  if (ks.length === 0) throw new Error('evaluateFullRanking: ks is empty; give at least one cut-off such as [10]');
  for (const k of ks) {
    if (!Number.isInteger(k) || k <= 0) {
      throw new Error(`evaluateFullRanking: every k must be a positive integer, got ${String(k)} in ks`);
    }
  }
  const maxK = Math.max(...ks);
  const metricNames = Array.from(options.metrics ?? (['HR', 'NDCG'] as const));
  for (const name of metricNames) {
    if (!Object.hasOwn(RANKING_METRICS, name)) {
      throw new Error(
        `evaluateFullRanking: unknown metric "${name}"; known: ${Object.keys(RANKING_METRICS).join(', ')}`,
      );
    }
  }
  if (options.blockSize !== undefined && (!Number.isInteger(options.blockSize) || options.blockSize <= 0)) {
    throw new Error(`evaluateFullRanking: blockSize must be a positive integer, got ${String(options.blockSize)}`);
  }
  const blockSize = options.blockSize ?? userBlockSize(numItems, options.memoryBudgetBytes, 'evaluateFullRanking');

  const test = rowAccess(options.testItems, 'testItems');
  const train = rowAccess(options.trainMask, 'trainMask');

  const users = options.users ?? usersWithTestItems(test);

  // Validate every user before scoring anything, so a bad input fails in milliseconds
  // rather than after an hour of scoring.
  for (let j = 0; j < users.length; j++) {
    const u = users[j];
    if (!(u >= 0 && u < test.numUsers)) {
      throw new Error(`evaluateFullRanking: users[${j}] = ${u} has no row in testItems (it has ${test.numUsers} users)`);
    }
    if (!(u < train.numUsers)) {
      throw new Error(`evaluateFullRanking: users[${j}] = ${u} has no row in trainMask (it has ${train.numUsers} users)`);
    }
    const relevant = test.row(u);
    if (relevant.length === 0) {
      throw new Error(`evaluateFullRanking: user ${u} has no test items; leave them out of users`);
    }
    const masked = train.row(u);
    for (let p = 0; p < relevant.length; p++) {
      const item = relevant[p];
      if (item < 0 || item >= numItems) {
        throw new Error(`evaluateFullRanking: user ${u} has test item ${item}, outside [0, numItems = ${numItems})`);
      }
      if (p > 0 && item <= relevant[p - 1]) {
        throw new Error(`evaluateFullRanking: test items of user ${u} are not sorted ascending without duplicates`);
      }
      if (sortedHas(masked, item)) {
        throw new Error(
          `evaluateFullRanking: user ${u}'s test item ${item} is also one of their train items, so masking would ` +
            'remove it from the ranking; the split leaks (leaveLastOut never does this)',
        );
      }
    }
  }

  const keys: string[] = [];
  const columns: { key: string; metric: (typeof RANKING_METRICS)[RankingMetricName]; k: number }[] = [];
  for (const name of metricNames) {
    for (const k of ks) {
      const key = `${name}@${k}`;
      if (keys.includes(key)) continue;
      keys.push(key);
      columns.push({ key, metric: RANKING_METRICS[name], k });
    }
  }
  const total = users.length;
  const values = columns.map(() => new Float64Array(total));

  for (let begin = 0; begin < total; begin += blockSize) {
    const end = Math.min(total, begin + blockSize);
    // A copy, so a scorer that keeps or mutates its argument cannot disturb `users`.
    const block = users.slice(begin, end);
    const topKs = rankUsers
      ? await rankedBlock(rankUsers, block, maxK, train)
      : await scoredBlock(scoreUsers as ScoreUsers, block, numItems, maxK, train);
    for (let b = 0; b < block.length; b++) {
      const topK = topKs.subarray(b * maxK, (b + 1) * maxK);
      const relevant = test.row(block[b]);
      for (let c = 0; c < columns.length; c++) {
        const { metric, k } = columns[c];
        values[c][begin + b] = metric(topK, relevant, k);
      }
    }
    onProgress?.(end, total);
  }

  const metrics = columnMeans(columns, values, total);

  const result: {
    -readonly [K in keyof FullRankingResult]: FullRankingResult[K];
  } = { protocol: 'full-ranking', masked: 'train items', numUsers: total, numItems, ks, metrics };
  if (options.perUser) {
    const perUserMetrics: Record<string, Float64Array> = {};
    columns.forEach(({ key }, c) => (perUserMetrics[key] = values[c]));
    result.perUser = { users: users.slice(), metrics: perUserMetrics };
  }
  return result;
}
