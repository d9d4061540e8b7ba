/**
 * Sampled ranking evaluation: each held-out (user, item) row is ranked among a small
 * candidate set (the positive plus some negatives) instead of the whole catalogue.
 *
 * Two candidate sources:
 * - **fixed** candidates given per test row, e.g. the 99 negatives NCF ships in
 *   `ml-1m.test.negative` (He et al. 2017, §4.1), so numbers are comparable with papers
 *   that used the same file;
 * - **sampled** negatives drawn here with the counter-based Philox generator of
 *   `@rec/core`, uniform over the items the user has neither a train nor a test
 *   interaction with, reproducible from `(seed, row)` alone (recipe in
 *   {@link sampleEvaluationNegatives}).
 *
 * Sampled metrics are not full-ranking metrics: they are far higher and can order
 * models differently (Krichene & Rendle, KDD 2020). Every result therefore states its
 * candidate source and counts, and the tie convention used.
 */
import { Philox, type PhiloxSeed } from '@rec/core';
import { RANKING_METRICS, type RankingMetricName } from '../metrics.js';
import { DEFAULT_MEMORY_BUDGET_BYTES, rowAccess, userBlockSize, type ItemRows, type PerUserItems, type PerUserMetrics, type ScoreUsers, usersWithTestItems, columnMeans } from './full-ranking.js';

const CALLER = 'evaluateSampledRanking';

/**
 * The Philox stream every evaluation negative is drawn from: `0x4556414C`, the ASCII
 * bytes of "EVAL". Training samplers use other streams, so evaluation negatives never
 * reuse the words a training run drew under the same seed.
 * @example
 * ```ts
 * new Philox({ seed: 1, stream: EVAL_NEGATIVES_STREAM });
 * ```
 */
export const EVAL_NEGATIVES_STREAM = 0x4556_414c;

/**
 * Philox words reserved per slot (test row, or user for the AUC protocol): slot `s`
 * draws from words `[s · 2^24, (s + 1) · 2^24)` of {@link EVAL_NEGATIVES_STREAM}, so
 * one slot's negatives do not depend on which other slots are evaluated, or in what
 * order. Slots must be below 2^29 to keep counters safe integers.
 * @example
 * ```ts
 * const firstWordOfRow7 = 7 * WORDS_PER_EVAL_SLOT;
 * ```
 */
export const WORDS_PER_EVAL_SLOT = 2 ** 24;

/** At most this many negatives per slot: Floyd's algorithm uses ~1 word per negative. */
const MAX_NEGATIVES = 2 ** 23;
const MAX_SLOT = 2 ** 29;

/**
 * Options of {@link sampleEvaluationNegatives}.
 * @example
 * ```ts
 * const options: EvaluationNegativesOptions = { numItems: 3706, count: 99, seed: 1, slot: 0, excluded: Int32Array.of(5, 9) };
 * ```
 */
export interface EvaluationNegativesOptions {
  /** Catalogue size; negatives lie in `[0, numItems)`. */
  numItems: number;
  /** How many distinct negatives to draw. */
  count: number;
  /** Philox seed (64-bit). */
  seed: PhiloxSeed;
  /** Which slot's words to use (a test row, or a user), in `[0, 2^29)`. */
  slot: number;
  /** Items that may not be drawn (the user's train and test items): sorted ascending, no duplicates. */
  excluded: Int32Array;
}

/**
 * `count` distinct items drawn uniformly without replacement from the items not in
 * `excluded`, reproducible from `(seed, slot)`; sorted ascending.
 *
 * Recipe (so a native or GPU version can reproduce it): let `A = numItems −
 * |excluded|` be the number of allowed items and `a_0 < a_1 < … < a_{A−1}` the allowed
 * items in order. A {@link Philox} with `(seed, stream = EVAL_NEGATIVES_STREAM)` is
 * positioned at word `slot · 2^24`; Floyd's algorithm then picks `count` distinct
 * indexes of `[0, A)`: for `j = A − count … A − 1`, draw `t = rng.int(j + 1)` (Lemire,
 * one word unless rejected) and take `t`, or `j` if `t` was already taken. Index `i`
 * maps to `a_i = i + #{e ∈ excluded : e − rank(e) ≤ i}` (a binary search). No
 * rejection against `excluded` is needed, so the words used are `count` plus
 * Lemire's rare rejections (probability < A / 2^32 each), whatever the user's history.
 *
 * @throws Error when fewer than `count` items are allowed, `excluded` is unsorted or
 *   out of range, or an argument is out of its range.
 * @example
 * ```ts
 * const negatives = sampleEvaluationNegatives({ numItems: 3706, count: 99, seed: 1, slot: 12, excluded: trainAndTestOfUser });
 * negatives.length; // 99, sorted, none in excluded
 * ```
 */
export function sampleEvaluationNegatives(options: EvaluationNegativesOptions): Int32Array {
  const { numItems, count, seed, slot, excluded } = options;
  const caller = 'sampleEvaluationNegatives';
  if (!Number.isInteger(numItems) || numItems <= 0) {
    throw new Error(`${caller}: numItems must be a positive integer, got ${String(numItems)}`);
  }
  if (!Number.isInteger(count) || count < 0 || count > MAX_NEGATIVES) {
    throw new Error(`${caller}: count must be an integer in [0, 2^23], got ${String(count)}`);
  }
  if (!Number.isInteger(slot) || slot < 0 || slot >= MAX_SLOT) {
    throw new Error(`${caller}: slot must be an integer in [0, 2^29), got ${String(slot)}`);
  }
  for (let j = 0; j < excluded.length; j++) {
    const v = excluded[j];
    if (v < 0 || v >= numItems || (j > 0 && v <= excluded[j - 1])) {
      throw new Error(
        `${caller}: excluded must be sorted ascending without duplicates within [0, ${numItems}); ` +
          `excluded[${j}] = ${v}`,
      );
    }
  }
  const allowed = numItems - excluded.length;
  if (count > allowed) {
    throw new Error(
      `${caller}: only ${allowed} items are left to sample from (${numItems} items minus ${excluded.length} ` +
        `excluded), fewer than the ${count} negatives asked for`,
    );
  }
  const rng = new Philox({ seed, stream: EVAL_NEGATIVES_STREAM });
  const first = slot * WORDS_PER_EVAL_SLOT;
  rng.skipTo(first);
  const taken = new Set<number>();
  for (let j = allowed - count; j < allowed; j++) {
    const t = rng.int(j + 1);
    taken.add(taken.has(t) ? j : t);
  }
  if (rng.counter > first + WORDS_PER_EVAL_SLOT) {
    // Needs ~2^23 Lemire rejections; never seen, but overlapping slots would be a silent bug.
    throw new Error(`${caller}: slot ${slot} used more than 2^24 Philox words`);
  }
  const out = new Int32Array(count);
  let o = 0;
  for (const index of taken) out[o++] = allowedItemAt(index, excluded);
  return out.sort();
}

/** The `index`-th (0-based) item not in the sorted list `excluded`. */
function allowedItemAt(index: number, excluded: Int32Array): number {
  // excluded[i] − i is non-decreasing; count the entries with excluded[i] − i ≤ index.
  let lo = 0;
  let hi = excluded.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (excluded[mid] - mid <= index) lo = mid + 1;
    else hi = mid;
  }
  return index + lo;
}

/**
 * How a positive's rank counts candidates with exactly its score:
 * - `'pessimistic'` (default): every tied negative ranks above the positive,
 *   `rank = Σ [s_neg ≥ s_pos]`, so a model cannot gain from ties (a constant scorer
 *   gets HR@10 = 0, not 1).
 * - `'average'`: the expected metric when ties are broken uniformly at random (the
 *   mean of the metric over every place among the ties), exact, not sampled.
 * - `'optimistic'`: only strictly higher negatives rank above, `rank = Σ [s_neg >
 *   s_pos]`, as code that ranks with a strict `>` does; for reproducing such numbers.
 *
 * NCF's `evaluate.py` takes `heapq.nlargest` (stable) over a dict of candidate scores,
 * so its ties follow the dict's iteration order: with the positive appended last that
 * is pessimistic under Python ≥ 3.7, but under the Python 2 it was written for it is
 * hash order (about item-id order), neither convention. With real-valued scores ties
 * are rare and the conventions agree; they matter for popularity-like or saturated
 * scores.
 * @example
 * ```ts
 * const ties: TieConvention = 'average';
 * ```
 */
export type TieConvention = 'pessimistic' | 'average' | 'optimistic';

/**
 * Scores (user, item) pairs: returns one score per pair, `scores[i]` for
 * `(users[i], items[i])`. May be async.
 * @example
 * ```ts
 * const scorePairs: ScorePairs = (users, items) =>
 *   Float32Array.from(users, (u, i) => dot(userEmbedding(u), itemEmbedding(items[i])));
 * ```
 */
export type ScorePairs = (
  users: Int32Array,
  items: Int32Array,
) => Float32Array | Float64Array | Promise<Float32Array | Float64Array>;

/**
 * Where the negatives of each test row come from.
 * - `fixed`: `negatives` has one row per test row, in the order of the test rows
 *   (user-major: user 0's test items ascending, then user 1's, …), e.g. NCF's 99
 *   negatives per user. `source` names them in the result ("NCF ml-1m.test.negative").
 *   Repeats of a negative, and the positive itself listed as a negative (156 rows of
 *   NCF's ml-1m file), are dropped, as NCF's dict-keyed evaluation does.
 * - `sampled`: `numNegatives` distinct items per test row from
 *   {@link sampleEvaluationNegatives} with `slot` = the row's position in `testItems`.
 * @example
 * ```ts
 * const ncf: EvaluationCandidates = { kind: 'fixed', source: 'NCF ml-1m.test.negative', negatives };
 * const sampled: EvaluationCandidates = { kind: 'sampled', numNegatives: 99, seed: 2024 };
 * ```
 */
export type EvaluationCandidates =
  | { readonly kind: 'fixed'; readonly source: string; readonly negatives: PerUserItems }
  | { readonly kind: 'sampled'; readonly numNegatives: number; readonly seed: PhiloxSeed };

/**
 * Options of {@link evaluateSampledRanking}.
 * @example
 * ```ts
 * const options: SampledRankingOptions = {
 *   numItems, testItems, trainItems, ks: [10],
 *   candidates: { kind: 'sampled', numNegatives: 99, seed: 1 },
 *   scoreUsers: (users) => model.scoreUsers(users),
 * };
 * ```
 */
export interface SampledRankingOptions {
  /** Number of items; every item id lies in `[0, numItems)`. */
  numItems: number;
  /** Held-out items per user; every (user, item) pair is one test row. */
  testItems: PerUserItems;
  /** The negatives of each row. */
  candidates: EvaluationCandidates;
  /**
   * Each user's train items, never drawn as sampled negatives (nor are the user's test
   * items). Required for `sampled` candidates; unused for `fixed` ones.
   */
  trainItems?: ItemRows;
  /**
   * The model as a pair scorer: only `rows × (1 + negatives)` scores are computed.
   * Preferred when given.
   */
  scorePairs?: ScorePairs;
  /**
   * The model as a full-row scorer (`Recommender.scoreUsers`): whole rows are scored
   * for a block of users and the candidates read from them. Used when `scorePairs` is
   * absent; costs `numItems` scores per user instead of `1 + negatives` per row.
   */
  scoreUsers?: ScoreUsers;
  /** Cut-offs, e.g. `[10]`; each must be ≤ the smallest candidate count to mean anything. */
  ks: readonly number[];
  /** Metrics at each K, default `['HR', 'NDCG']`; see `RANKING_METRICS`. */
  metrics?: readonly RankingMetricName[];
  /** How tied scores count, default `'pessimistic'`; see {@link TieConvention}. */
  ties?: TieConvention;
  /** Users whose rows to evaluate; default every user with a test item. */
  users?: Int32Array;
  /**
   * Memory per scoring call, default 64 MiB: `scorePairs` gets ⌊budget / 12⌋ pairs
   * (4-byte score, user id and item id each, at least one row); `scoreUsers` gets
   * `userBlockSize(numItems, budget)` users.
   */
  memoryBudgetBytes?: number;
  /** Called after each scoring call with rows done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Also return every row's rank and metric values. */
  perRow?: boolean;
}

/**
 * Per-row values of a sampled evaluation; `users` and `metrics` have the shape of
 * {@link PerUserMetrics} (one entry per row, so a user with several test items repeats).
 * @example
 * ```ts
 * const { perRow } = await evaluateSampledRanking({ ...options, perRow: true });
 * perRow?.ranks[0]; // 0-based rank of row 0's positive under the tie convention
 * ```
 */
export interface PerRowMetrics extends PerUserMetrics {
  /** The positive item of each row. */
  readonly items: Int32Array;
  /** 0-based rank of the positive among its candidates (average convention: may be x.5). */
  readonly ranks: Float64Array;
  /** Negatives each row was ranked against (after de-duplication). */
  readonly numNegatives: Int32Array;
}

/**
 * What the candidates were, for the result and the report line.
 * @example
 * ```ts
 * result.candidates.description; // "fixed candidates from NCF ml-1m.test.negative: each test item ranked against 98–99 negatives (…)"
 * ```
 */
export interface CandidateSummary {
  readonly kind: 'fixed' | 'sampled';
  /** One line: what was ranked against what, with counts and the tie convention. */
  readonly description: string;
  /** `fixed`: the `source` given. */
  readonly source?: string;
  /** `sampled`: the seed (decimal string, so 64-bit seeds survive JSON) and stream. */
  readonly seed?: string;
  readonly stream?: number;
  /** Fewest and most negatives a row was ranked against. */
  readonly minNegatives: number;
  readonly maxNegatives: number;
  /** `fixed`: candidates dropped as repeats or as the positive itself. */
  readonly droppedCandidates: number;
}

/**
 * The outcome of {@link evaluateSampledRanking}.
 * @example
 * ```ts
 * const r: SampledRankingResult = await evaluateSampledRanking(options);
 * console.log(`${r.metrics['HR@10']} (${r.candidates.description})`);
 * ```
 */
export interface SampledRankingResult {
  readonly protocol: 'sampled-ranking';
  readonly candidates: CandidateSummary;
  readonly ties: TieConvention;
  /** Test rows evaluated: the denominator of every mean. */
  readonly numRows: number;
  /** Distinct users among the rows. */
  readonly numUsers: number;
  readonly numItems: number;
  readonly ks: readonly number[];
  /** Mean over rows, keyed `${metric}@${k}`. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly perRow?: PerRowMetrics;
}

/**
 * Checks ks and metric names and lists the `${metric}@${k}` columns to compute, in
 * metric-major order without repeats. Not exported from the package index.
 * @internal
 * @example
 * ```ts
 * metricColumns('evaluateX', [10, 5], ['HR']).columns.map((c) => c.key); // ['HR@10', 'HR@5']
 * ```
 */
export function metricColumns(
  caller: string,
  ksIn: readonly number[],
  metricsIn: readonly RankingMetricName[] | undefined,
): { ks: number[]; maxK: number; columns: { key: string; name: RankingMetricName; k: number }[] } {
  const ks = Array.from(ksIn);
  if (ks.length === 0) throw new Error(`${caller}: ks is empty; give at least one cut-off such as [10]`);
  for (const k of ks) {
    if (!Number.isInteger(k) || k <= 0) {
      throw new Error(`${caller}: every k must be a positive integer, got ${String(k)} in ks`);
    }
  }
  const names = Array.from(metricsIn ?? (['HR', 'NDCG'] as const));
  for (const name of names) {
    if (!Object.hasOwn(RANKING_METRICS, name)) {
      throw new Error(`${caller}: unknown metric "${name}"; known: ${Object.keys(RANKING_METRICS).join(', ')}`);
    }
  }
  const columns: { key: string; name: RankingMetricName; k: number }[] = [];
  for (const name of names) {
    for (const k of ks) {
      const key = `${name}@${k}`;
      if (!columns.some((c) => c.key === key)) columns.push({ key, name, k });
    }
  }
  return { ks, maxK: Math.max(...ks), columns };
}

/**
 * `table[c][ρ]`: column c's metric when the single relevant item sits at 0-based rank ρ
 * (ρ < maxK; beyond, every metric is 0). Built with the metric functions themselves so
 * a sampled HR/NDCG/MRR is, by construction, the full-ranking one at the same rank.
 */
function rankTables(columns: { name: RankingMetricName; k: number }[], maxK: number): Float64Array[] {
  const relevant = Int32Array.of(0);
  return columns.map(({ name, k }) => {
    const table = new Float64Array(maxK);
    for (let rho = 0; rho < maxK; rho++) {
      const list = new Int32Array(rho + 1).fill(-1);
      list[rho] = 0;
      table[rho] = RANKING_METRICS[name](list, relevant, k);
    }
    return table;
  });
}

/**
 * Sampled ranking: each test row's positive item is scored with its negatives, its rank
 * among them taken under the tie convention, and HR/NDCG/… at each K averaged over
 * rows. With one test item per user (leave-one-out) rows are users and this is the
 * HR@10 / NDCG@10 protocol of He et al. 2017 (NCF), §4.1: the test item is ranked
 * among itself and 99 negatives, and NDCG is `1 / log2(rank + 2)` for a 0-based rank
 * (`math.log(2) / math.log(i + 2)` in NCF's `evaluate.py`).
 *
 * Conventions, stated because papers differ: a row is one (user, positive) pair and
 * means are over rows; other test items of the same user are not candidates of that
 * row (they are excluded from sampled negatives, and kept if a fixed list has them);
 * the rank counts negatives only. Ties follow `ties` (default pessimistic).
 *
 * @throws Error naming the problem: bad ks/metrics/ties, no scorer, fixed negatives not
 * aligned with the test rows or out of range, `trainItems` missing for sampled
 * negatives, a user with too few items left to sample from, a NaN score or a score
 * array of the wrong length.
 * @see He et al., "Neural Collaborative Filtering", WWW 2017, §4.1 (evaluation protocol).
 * @example
 * ```ts
 * // NCF's fixed split: one test row per user, 99 negatives per row from ml-1m.test.negative.
 * const result = await evaluateSampledRanking({
 *   numItems: 3706,
 *   testItems,                       // testItems[u] = Int32Array.of(item of line u)
 *   candidates: { kind: 'fixed', source: 'NCF ml-1m.test.negative', negatives },
 *   scorePairs: (users, items) => model.scorePairs(users, items),
 *   ks: [10],
 * });
 * result.metrics['HR@10'];
 * ```
 */
export async function evaluateSampledRanking(options: SampledRankingOptions): Promise<SampledRankingResult> {
  const { numItems, candidates, scorePairs, scoreUsers, onProgress } = options;
  if (!Number.isInteger(numItems) || numItems <= 0) {
    throw new Error(`${CALLER}: numItems must be a positive integer, got ${String(numItems)}`);
  }
  const { ks, maxK, columns } = metricColumns(CALLER, options.ks, options.metrics);
  const ties = options.ties ?? 'pessimistic';
  if (ties !== 'pessimistic' && ties !== 'average' && ties !== 'optimistic') {
    throw new Error(`${CALLER}: ties must be 'pessimistic', 'average' or 'optimistic', got ${String(ties)}`);
  }
  if (scorePairs === undefined && scoreUsers === undefined) {
    throw new Error(`${CALLER}: give the model as scorePairs (preferred) or scoreUsers`);
  }
  const budget = options.memoryBudgetBytes ?? DEFAULT_MEMORY_BUDGET_BYTES;
  const usersPerCall = userBlockSize(numItems, budget, CALLER);
  const pairsPerCall = Math.max(1, Math.floor(budget / 12));

  const test = rowAccess(options.testItems, 'testItems', CALLER);
  // Global row position of each user's first test row: the slot of sampled negatives and
  // the row index into fixed negatives, independent of `users`.
  const rowStart = new Float64Array(test.numUsers + 1);
  for (let u = 0; u < test.numUsers; u++) rowStart[u + 1] = rowStart[u] + test.row(u).length;
  const totalTestRows = rowStart[test.numUsers];

  let fixed: { row: (r: number) => Int32Array } | undefined;
  let train: { numUsers: number; row: (user: number) => Int32Array } | undefined;
  if (candidates.kind === 'fixed') {
    if (typeof candidates.source !== 'string' || candidates.source === '') {
      throw new Error(`${CALLER}: fixed candidates need a source naming them, e.g. 'NCF ml-1m.test.negative'`);
    }
    const rows = rowAccess(candidates.negatives, 'candidates.negatives', CALLER);
    if (rows.numUsers !== totalTestRows) {
      throw new Error(
        `${CALLER}: candidates.negatives has ${rows.numUsers} rows but testItems has ${totalTestRows} test rows; ` +
          'fixed negatives need one row per (user, test item), in user-major order',
      );
    }
    fixed = rows;
  } else if (candidates.kind === 'sampled') {
    const n = candidates.numNegatives;
    if (!Number.isInteger(n) || n <= 0 || n > MAX_NEGATIVES) {
      throw new Error(`${CALLER}: numNegatives must be an integer in [1, 2^23], got ${String(n)}`);
    }
    void new Philox({ seed: candidates.seed }); // validates the seed before any scoring
    if (options.trainItems === undefined) {
      throw new Error(`${CALLER}: sampled negatives need trainItems, so a user's train items are never drawn`);
    }
    if (totalTestRows > MAX_SLOT) {
      throw new Error(`${CALLER}: ${totalTestRows} test rows exceed the 2^29 sampling slots`);
    }
    train = rowAccess(options.trainItems, 'trainItems', CALLER);
  } else {
    throw new Error(`${CALLER}: candidates.kind must be 'fixed' or 'sampled'`);
  }

  const users = options.users ?? usersWithTestItems(test);
  const rowUser: number[] = [];
  const rowItem: number[] = [];
  const rowSlot: number[] = [];
  for (let j = 0; j < users.length; j++) {
    const u = users[j];
    if (!(Number.isInteger(u) && u >= 0 && u < test.numUsers)) {
      throw new Error(`${CALLER}: users[${j}] = ${u} has no row in testItems (it has ${test.numUsers} users)`);
    }
    if (train !== undefined && u >= train.numUsers) {
      throw new Error(`${CALLER}: users[${j}] = ${u} has no row in trainItems (it has ${train.numUsers} users)`);
    }
    const items = test.row(u);
    if (items.length === 0) throw new Error(`${CALLER}: user ${u} has no test items; leave them out of users`);
    for (let p = 0; p < items.length; p++) {
      const item = items[p];
      if (!(item >= 0 && item < numItems)) {
        throw new Error(`${CALLER}: user ${u} has test item ${item}, outside [0, numItems = ${numItems})`);
      }
      if (p > 0 && item <= items[p - 1]) {
        throw new Error(`${CALLER}: test items of user ${u} are not sorted ascending without duplicates`);
      }
      rowUser.push(u);
      rowItem.push(item);
      rowSlot.push(rowStart[u] + p);
    }
  }
  const numRows = rowUser.length;

  let dropped = 0;
  /** Row r's negatives, de-duplicated (fixed) or drawn (sampled). */
  const negativesOf = (r: number): Int32Array => {
    const u = rowUser[r];
    const positive = rowItem[r];
    if (fixed !== undefined) {
      const given = fixed.row(rowSlot[r]);
      const seen = new Set<number>();
      const kept: number[] = [];
      for (let j = 0; j < given.length; j++) {
        const item = given[j];
        if (!(Number.isInteger(item) && item >= 0 && item < numItems)) {
          throw new Error(
            `${CALLER}: fixed negative ${item} of test row ${rowSlot[r]} (user ${u}) is outside [0, numItems = ${numItems})`,
          );
        }
        if (item === positive || seen.has(item)) {
          dropped++;
          continue;
        }
        seen.add(item);
        kept.push(item);
      }
      return Int32Array.from(kept);
    }
    const sampled = candidates as { numNegatives: number; seed: PhiloxSeed };
    try {
      return sampleEvaluationNegatives({
        numItems,
        count: sampled.numNegatives,
        seed: sampled.seed,
        slot: rowSlot[r],
        excluded: sortedUnion(train!.row(u), test.row(u)),
      });
    } catch (error) {
      throw new Error(`${CALLER}: user ${u}: ${(error as Error).message}`);
    }
  };

  const tables = rankTables(columns, maxK);
  const values = columns.map(() => new Float64Array(numRows));
  const ranks = new Float64Array(numRows);
  const negativeCounts = new Int32Array(numRows);
  let minNegatives = Infinity;
  let maxNegatives = 0;

  let next = 0;
  let pending: Int32Array | undefined;
  while (next < numRows) {
    // Collect a block of rows that fits one scoring call.
    const blockRows: number[] = [];
    const blockNegatives: Int32Array[] = [];
    let pairs = 0;
    let distinctUsers = 0;
    while (next < numRows) {
      const negatives = pending ?? negativesOf(next);
      pending = undefined;
      const newUser = blockRows.length === 0 || rowUser[next] !== rowUser[blockRows[blockRows.length - 1]];
      const fits =
        blockRows.length === 0 ||
        (scorePairs !== undefined ? pairs + 1 + negatives.length <= pairsPerCall : !newUser || distinctUsers < usersPerCall);
      if (!fits) {
        pending = negatives;
        break;
      }
      blockRows.push(next);
      blockNegatives.push(negatives);
      pairs += 1 + negatives.length;
      if (newUser) distinctUsers++;
      next++;
    }

    // Scores of each row's candidates: [positive, ...negatives], rows back to back.
    const scores = new Float64Array(pairs);
    if (scorePairs !== undefined) {
      const pairUsers = new Int32Array(pairs);
      const pairItems = new Int32Array(pairs);
      let at = 0;
      blockRows.forEach((r, b) => {
        pairUsers.fill(rowUser[r], at, at + 1 + blockNegatives[b].length);
        pairItems[at] = rowItem[r];
        pairItems.set(blockNegatives[b], at + 1);
        at += 1 + blockNegatives[b].length;
      });
      const got = await scorePairs(pairUsers, pairItems);
      checkScores(got, pairs, `scorePairs returned {got} scores for ${pairs} (user, item) pairs`);
      scores.set(got);
    } else {
      const blockUsers: number[] = [];
      for (const r of blockRows) if (blockUsers[blockUsers.length - 1] !== rowUser[r]) blockUsers.push(rowUser[r]);
      const got = await scoreUsers!(Int32Array.from(blockUsers));
      const expected = blockUsers.length * numItems;
      checkScores(got, expected, `scoreUsers returned {got} scores for ${blockUsers.length} users × ${numItems} items`);
      let at = 0;
      let b = -1;
      let lastUser = -1;
      blockRows.forEach((r, i) => {
        if (rowUser[r] !== lastUser) {
          lastUser = rowUser[r];
          b++;
        }
        const base = b * numItems;
        scores[at] = got[base + rowItem[r]];
        const negatives = blockNegatives[i];
        for (let j = 0; j < negatives.length; j++) scores[at + 1 + j] = got[base + negatives[j]];
        at += 1 + negatives.length;
      });
    }

    let at = 0;
    blockRows.forEach((r, b) => {
      const n = blockNegatives[b].length;
      const positive = scores[at];
      if (positive !== positive) throw new Error(`${CALLER}: the score of user ${rowUser[r]}, item ${rowItem[r]} is NaN`);
      let greater = 0;
      let tied = 0;
      for (let j = 1; j <= n; j++) {
        const s = scores[at + j];
        if (s > positive) greater++;
        else if (s === positive) tied++;
        else if (s !== s) {
          throw new Error(`${CALLER}: the score of user ${rowUser[r]}, item ${blockNegatives[b][j - 1]} is NaN`);
        }
      }
      at += 1 + n;
      negativeCounts[r] = n;
      minNegatives = Math.min(minNegatives, n);
      maxNegatives = Math.max(maxNegatives, n);
      if (ties === 'average') {
        ranks[r] = greater + tied / 2;
        // Expected metric over the tied + 1 equally likely places; places ≥ maxK score 0.
        const last = Math.min(greater + tied, maxK - 1);
        for (let c = 0; c < columns.length; c++) {
          let sum = 0;
          for (let rho = greater; rho <= last; rho++) sum += tables[c][rho];
          values[c][r] = sum / (tied + 1);
        }
      } else {
        const rho = ties === 'pessimistic' ? greater + tied : greater;
        ranks[r] = rho;
        for (let c = 0; c < columns.length; c++) values[c][r] = rho < maxK ? tables[c][rho] : 0;
      }
    });
    onProgress?.(next, numRows);
  }

  const metrics = columnMeans(columns, values, numRows);
  if (numRows === 0) minNegatives = 0;

  let summary: CandidateSummary;
  const range = minNegatives === maxNegatives ? `${maxNegatives}` : `${minNegatives}–${maxNegatives}`;
  if (candidates.kind === 'fixed') {
    summary = {
      kind: 'fixed',
      description:
        `fixed candidates from ${candidates.source}: each test item ranked against ${range} negatives` +
        (dropped > 0 ? ` (${dropped} repeated or positive candidates dropped)` : '') +
        `, ties ${ties}`,
      source: candidates.source,
      minNegatives,
      maxNegatives,
      droppedCandidates: dropped,
    };
  } else {
    const seed = String(candidates.seed);
    summary = {
      kind: 'sampled',
      description:
        `${candidates.numNegatives} sampled negatives, seed ${seed}: each test item ranked against them ` +
        `(uniform over items the user has not interacted with; Philox stream 0x${EVAL_NEGATIVES_STREAM.toString(16).toUpperCase()}), ` +
        `ties ${ties}`,
      seed,
      stream: EVAL_NEGATIVES_STREAM,
      minNegatives,
      maxNegatives,
      droppedCandidates: 0,
    };
  }

  const userSet = new Set(rowUser);
  const result: { -readonly [K in keyof SampledRankingResult]: SampledRankingResult[K] } = {
    protocol: 'sampled-ranking',
    candidates: summary,
    ties,
    numRows,
    numUsers: userSet.size,
    numItems,
    ks,
    metrics,
  };
  if (options.perRow) {
    const perRowMetrics: Record<string, Float64Array> = {};
    columns.forEach(({ key }, c) => (perRowMetrics[key] = values[c]));
    result.perRow = {
      users: Int32Array.from(rowUser),
      items: Int32Array.from(rowItem),
      ranks,
      numNegatives: negativeCounts,
      metrics: perRowMetrics,
    };
  }
  return result;
}

function checkScores(got: unknown, expected: number, message: string): asserts got is Float32Array | Float64Array {
  if (!(got instanceof Float32Array || got instanceof Float64Array) || got.length !== expected) {
    const count = got instanceof Float32Array || got instanceof Float64Array ? `${got.length}` : typeof got;
    throw new Error(`${CALLER}: ${message.replace('{got}', count)}; expected a Float32Array of ${expected}`);
  }
}

/**
 * Sorted union of two ascending lists (a user's train and test items), without
 * repeats. Not exported from the package index.
 * @internal
 * @example
 * ```ts
 * sortedUnion(Int32Array.of(1, 4), Int32Array.of(2, 4)); // Int32Array [1, 2, 4]
 * ```
 */
export function sortedUnion(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let o = 0;
  while (i < a.length || j < b.length) {
    let v: number;
    if (j >= b.length || (i < a.length && a[i] < b[j])) v = a[i++];
    else if (i >= a.length || b[j] < a[i]) v = b[j++];
    else {
      v = a[i++];
      j++;
    }
    if (o === 0 || out[o - 1] !== v) out[o++] = v;
  }
  return out.subarray(0, o);
}
