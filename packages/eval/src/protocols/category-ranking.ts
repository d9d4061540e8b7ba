/**
 * Category-level ranking, the evaluation of CCRec ("On Recommending Category: A
 * Cascading Approach", §6.3): the candidates are categories, a model scores every
 * user against every category, and a user's relevant set is the categories they
 * interact with in the future window.
 */
import { sortedHas } from '@rec/core';
import { f1FromMeans, RANKING_METRICS, type RankingMetricName } from '../metrics.js';
import { topKIndices } from '../topk.js';
import {
  rowAccess,
  userBlockSize,
  type ItemRows,
  type PerUserItems,
  type PerUserMetrics,
  type ScoreUsers,
} from './full-ranking.js';

const CALLER = 'evaluateCategoryRanking';

/**
 * A metric of the category protocol: any ranking metric, or `F1`. CCRec's tables use
 * HR, Precision, Recall and F1 at K ∈ {1, 3, 5}. Here `F1@K` is CCRec's harmonic mean of
 * the means (`f1FromMeans`), not the mean of per-user F1 (`f1AtK`) that `F1` means in
 * the item-level protocols.
 * @example
 * ```ts
 * const ccrec: CategoryMetricName[] = ['HR', 'Precision', 'Recall', 'F1'];
 * ```
 */
export type CategoryMetricName = RankingMetricName | 'F1';

/**
 * Options of {@link evaluateCategoryRanking}.
 * @example
 * ```ts
 * const options: CategoryRankingOptions = {
 *   numCategories, futureCategories, scoreUsers: (u) => model.scoreCategories(u), ks: [1, 3, 5],
 * };
 * ```
 */
export interface CategoryRankingOptions {
  /** Number of categories; every score row has this length. */
  numCategories: number;
  /** Each user's future categories (the relevant set), sorted ascending per user. */
  futureCategories: PerUserItems;
  /**
   * Each user's past categories. Used only when `maskPastCategories` is true; rows sorted
   * ascending.
   */
  pastCategories?: ItemRows;
  /**
   * Remove each user's past categories from the candidates (default false: nothing is
   * masked, because returning to a category is the common, wanted case in category
   * recommendation, unlike re-recommending a bought item). When true, future categories
   * that are also past are dropped from the relevant set too (they could not be
   * recommended), so the task becomes "predict new categories"; users left with none are
   * not evaluated and are counted in the result.
   */
  maskPastCategories?: boolean;
  /** The model: `users.length × numCategories` scores, row-major. */
  scoreUsers: ScoreUsers;
  /** Cut-offs, e.g. `[1, 3, 5]`. */
  ks: readonly number[];
  /** Default `['HR', 'Precision', 'Recall', 'F1']` (CCRec's columns). */
  metrics?: readonly CategoryMetricName[];
  /** Users to evaluate; default every user with a future category. */
  users?: Int32Array;
  /** Score memory per call (default 64 MiB), see `userBlockSize`. */
  memoryBudgetBytes?: number;
  /** Users per `scoreUsers` call; overrides `memoryBudgetBytes`. */
  blockSize?: number;
  /** Called after each block with users done and the total. */
  onProgress?: (done: number, total: number) => void;
  /** Also return every user's values (F1 per user is the user's own harmonic mean). */
  perUser?: boolean;
}

/**
 * The outcome of {@link evaluateCategoryRanking}.
 * @example
 * ```ts
 * const r: CategoryRankingResult = await evaluateCategoryRanking(options);
 * console.log(r.metrics['F1@3'], r.masked);
 * ```
 */
export interface CategoryRankingResult {
  readonly protocol: 'category-ranking';
  /** `'nothing'` or `'past categories'`. */
  readonly masked: 'nothing' | 'past categories';
  /** Users evaluated (the denominator of every mean). */
  readonly numUsers: number;
  /** With masking: users whose future categories were all past ones, left out. */
  readonly usersWithoutNewCategories: number;
  readonly numCategories: number;
  readonly ks: readonly number[];
  /**
   * Means over users keyed `${metric}@${k}`; `F1@k` is the harmonic mean of the mean
   * Precision@k and mean Recall@k (see {@link evaluateCategoryRanking}).
   */
  readonly metrics: Readonly<Record<string, number>>;
  readonly perUser?: PerUserMetrics;
}

/**
 * Category-level top-K evaluation (CCRec §6.3, Tables 3–6): for each user, score all
 * categories, optionally drop their past categories, take the top max(ks), and compute
 * HR, Precision, Recall (the definitions in `metrics.ts`) and F1 at each K against the
 * user's future categories, averaged over users.
 *
 * F1@K follows CCRec's tables, which are the harmonic mean of the averaged precision and
 * recall: F1@K = 2·P̄@K·R̄@K / (P̄@K + R̄@K) (checked on Table 3: VAERec P@3 = 0.1540,
 * R@3 = 0.3212 → F1@3 = 0.2082 as printed; the mean of per-user F1 would differ), i.e.
 * `f1FromMeans`, whereas `F1` in the item-level protocols is the mean of per-user `f1AtK`.
 * The per-user F1 values returned with `perUser` are each user's own harmonic mean
 * (`f1AtK`), for paired tests, so their mean is not `metrics['F1@K']`.
 *
 * Nothing is masked by default (see `maskPastCategories`). Ties between category scores
 * are broken by lower category index, as in `topKIndices`.
 *
 * @throws Error naming the problem: bad ks/metrics/numCategories/blockSize, a user out of
 * range or without future categories, an unsorted or out-of-range row, masking asked
 * without `pastCategories`, or a score array of the wrong length.
 * @see ccrec-category-recommendation.txt §6.3 (metrics HR, Precision, Recall, F1) and Table 3.
 * @example
 * ```ts
 * const result = await evaluateCategoryRanking({
 *   numCategories: tree.numCategories,
 *   futureCategories,                 // per user, categories of items after the cutoff date
 *   scoreUsers: (users) => model.scoreCategories(users),
 *   ks: [1, 3, 5],
 * });
 * result.metrics['HR@1'], result.metrics['F1@3'];
 * ```
 */
export async function evaluateCategoryRanking(options: CategoryRankingOptions): Promise<CategoryRankingResult> {
  const { numCategories, scoreUsers, onProgress } = options;
  if (!Number.isInteger(numCategories) || numCategories <= 0) {
    throw new Error(`${CALLER}: numCategories must be a positive integer, got ${String(numCategories)}`);
  }
  const ks = Array.from(options.ks);
  if (ks.length === 0) throw new Error(`${CALLER}: ks is empty; give at least one cut-off such as [1, 3, 5]`);
  for (const k of ks) {
    if (!Number.isInteger(k) || k <= 0) throw new Error(`${CALLER}: every k must be a positive integer, got ${String(k)} in ks`);
  }
  const maxK = Math.max(...ks);
  const names = Array.from(options.metrics ?? (['HR', 'Precision', 'Recall', 'F1'] as const));
  for (const name of names) {
    if (name !== 'F1' && !Object.hasOwn(RANKING_METRICS, name)) {
      throw new Error(
        `${CALLER}: unknown metric "${name}"; known: ${[...new Set([...Object.keys(RANKING_METRICS), 'F1'])].join(', ')}`,
      );
    }
  }
  if (options.blockSize !== undefined && (!Number.isInteger(options.blockSize) || options.blockSize <= 0)) {
    throw new Error(`${CALLER}: blockSize must be a positive integer, got ${String(options.blockSize)}`);
  }
  const blockSize = options.blockSize ?? userBlockSize(numCategories, options.memoryBudgetBytes, CALLER);
  const mask = options.maskPastCategories === true;
  if (mask && options.pastCategories === undefined) {
    throw new Error(`${CALLER}: maskPastCategories needs pastCategories (each user's past categories)`);
  }
  const future = rowAccess(options.futureCategories, 'futureCategories', CALLER);
  const past = mask ? rowAccess(options.pastCategories!, 'pastCategories', CALLER) : undefined;

  // Columns: every (metric, k); F1 needs Precision and Recall at its k, computed even
  // when not asked for (and then not reported).
  const keys: string[] = [];
  for (const name of names) for (const k of ks) if (!keys.includes(`${name}@${k}`)) keys.push(`${name}@${k}`);
  const computed = new Map<string, { name: RankingMetricName; k: number }>();
  for (const name of names) {
    for (const k of ks) {
      const needs: RankingMetricName[] = name === 'F1' ? ['Precision', 'Recall'] : [name];
      for (const n of needs) computed.set(`${n}@${k}`, { name: n, k });
    }
  }
  const columns = Array.from(computed, ([key, c]) => ({ key, ...c }));

  let candidates: Int32Array;
  if (options.users === undefined) {
    const found: number[] = [];
    for (let u = 0; u < future.numUsers; u++) if (future.row(u).length > 0) found.push(u);
    candidates = Int32Array.from(found);
  } else {
    candidates = options.users;
  }
  // Validate, and with masking work out each user's relevant set (new categories only).
  const relevantOf = new Map<number, Int32Array>();
  const users: number[] = [];
  let usersWithoutNewCategories = 0;
  for (let j = 0; j < candidates.length; j++) {
    const u = candidates[j];
    if (!(Number.isInteger(u) && u >= 0 && u < future.numUsers)) {
      throw new Error(`${CALLER}: users[${j}] = ${u} has no row in futureCategories (it has ${future.numUsers} users)`);
    }
    if (past !== undefined && u >= past.numUsers) {
      throw new Error(`${CALLER}: users[${j}] = ${u} has no row in pastCategories (it has ${past.numUsers} users)`);
    }
    const row = future.row(u);
    if (row.length === 0) throw new Error(`${CALLER}: user ${u} has no future categories; leave them out of users`);
    checkRow(row, numCategories, `future categories of user ${u}`);
    if (past === undefined) {
      users.push(u);
      continue;
    }
    const masked = past.row(u);
    checkRow(masked, numCategories, `past categories of user ${u}`);
    const fresh = row.filter((c) => !sortedHas(masked, c));
    if (fresh.length === 0) {
      usersWithoutNewCategories++;
      continue;
    }
    relevantOf.set(u, fresh);
    users.push(u);
  }

  const total = users.length;
  const values = columns.map(() => new Float64Array(total));
  for (let begin = 0; begin < total; begin += blockSize) {
    const end = Math.min(total, begin + blockSize);
    const block = Int32Array.from(users.slice(begin, end));
    const scores = await scoreUsers(block);
    const expected = block.length * numCategories;
    if (!(scores instanceof Float32Array || scores instanceof Float64Array) || scores.length !== expected) {
      const got = scores instanceof Float32Array || scores instanceof Float64Array ? `${scores.length}` : typeof scores;
      throw new Error(
        `${CALLER}: scoreUsers returned ${got} scores for ${block.length} users × ${numCategories} categories; ` +
          `expected a Float32Array of ${expected}`,
      );
    }
    for (let b = 0; b < block.length; b++) {
      const u = block[b];
      const row = scores.subarray(b * numCategories, (b + 1) * numCategories);
      const topK = topKIndices(row, maxK, past?.row(u));
      const relevant = relevantOf.get(u) ?? future.row(u);
      columns.forEach(({ name, k }, c) => (values[c][begin + b] = RANKING_METRICS[name](topK, relevant, k)));
    }
    onProgress?.(end, total);
  }

  const mean = (column: Float64Array): number => {
    let sum = 0;
    for (const v of column) sum += v;
    return total === 0 ? 0 : sum / total;
  };
  const indexOf = (key: string): number => columns.findIndex((c) => c.key === key);
  const metrics: Record<string, number> = {};
  const perUserMetrics: Record<string, Float64Array> = {};
  for (const key of keys) {
    const [name, k] = key.split('@') as [string, string];
    if (name !== 'F1') {
      const c = indexOf(key);
      metrics[key] = mean(values[c]);
      perUserMetrics[key] = values[c];
      continue;
    }
    const p = values[indexOf(`Precision@${k}`)];
    const r = values[indexOf(`Recall@${k}`)];
    metrics[key] = total === 0 ? 0 : f1FromMeans(mean(p), mean(r));
    perUserMetrics[key] = Float64Array.from(p, (pu, i) => harmonic(pu, r[i]));
  }

  const result: { -readonly [K in keyof CategoryRankingResult]: CategoryRankingResult[K] } = {
    protocol: 'category-ranking',
    masked: mask ? 'past categories' : 'nothing',
    numUsers: total,
    usersWithoutNewCategories,
    numCategories,
    ks,
    metrics,
  };
  if (options.perUser) result.perUser = { users: Int32Array.from(users), metrics: perUserMetrics };
  return result;
}

/** 2ab / (a + b), and 0 when both are 0. */
function harmonic(a: number, b: number): number {
  return a + b === 0 ? 0 : (2 * a * b) / (a + b);
}

function checkRow(row: Int32Array, numCategories: number, what: string): void {
  for (let p = 0; p < row.length; p++) {
    if (!(row[p] >= 0 && row[p] < numCategories)) {
      throw new Error(`${CALLER}: ${what} include ${row[p]}, outside [0, numCategories = ${numCategories})`);
    }
    if (p > 0 && row[p] <= row[p - 1]) {
      throw new Error(`${CALLER}: ${what} are not sorted ascending without duplicates`);
    }
  }
}
