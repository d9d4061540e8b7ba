/**
 * Per-user top-K ranking metrics with binary relevance.
 *
 * Every metric has the same shape: it takes one user's recommendation list (item
 * indexes, best first), that user's relevant items, and K, and returns a number in
 * [0, 1]. Protocols average them over users; keeping them per-user is what later
 * makes user-group breakdowns and paired significance tests possible.
 *
 * Conventions shared by all metrics:
 * - only the first K entries of `topK` count; a shorter list (fewer candidates than
 *   K) is scored as it is, missing positions count as misses;
 * - `topK` must not repeat an item (topKIndices never does);
 * - a user with no relevant items scores 0 (protocols do not evaluate such users).
 */
import { sortedHas } from '@rec/core';

/**
 * One user's relevant (held-out) items: a sorted ascending Int32Array without
 * duplicates (a CSR row is one), or a set.
 * @example
 * ```ts
 * const relevant: RelevantItems = Int32Array.of(3, 17); // or new Set([17, 3])
 * ```
 */
export type RelevantItems = Int32Array | ReadonlySet<number>;

/**
 * A per-user metric: recommendation list, relevant items, cut-off K → score.
 * @example
 * ```ts
 * const hitAt5: RankingMetric = (topK, relevant) => hitAtK(topK, relevant, 5);
 * ```
 */
export type RankingMetric = (topK: Int32Array, relevant: RelevantItems, k: number) => number;

function checkK(k: number, metric: string): void {
  if (!Number.isInteger(k) || k <= 0) {
    throw new Error(`${metric}: k must be a positive integer, got ${String(k)}`);
  }
}

function sizeOf(relevant: RelevantItems): number {
  return relevant instanceof Int32Array ? relevant.length : relevant.size;
}

function checkSorted(relevant: RelevantItems, metric: string): void {
  if (!(relevant instanceof Int32Array)) return;
  for (let i = 1; i < relevant.length; i++) {
    if (relevant[i] <= relevant[i - 1]) {
      throw new Error(
        `${metric}: relevant items must be sorted ascending without duplicates, ` +
          `but relevant[${i - 1}] = ${relevant[i - 1]} and relevant[${i}] = ${relevant[i]}`,
      );
    }
  }
}

function contains(relevant: RelevantItems, item: number): boolean {
  if (!(relevant instanceof Int32Array)) return relevant.has(item);
  return sortedHas(relevant, item);
}

/** Checks the inputs and returns the number of positions that count, min(K, |topK|). */
function prepare(topK: Int32Array, relevant: RelevantItems, k: number, metric: string): number {
  checkK(k, metric);
  checkSorted(relevant, metric);
  return Math.min(k, topK.length);
}

/**
 * Hit rate at K for one user: 1 if any of the first K recommendations is relevant,
 * else 0.
 *
 *   HR@K = 𝟙[ |top_K ∩ R| > 0 ]
 *
 * Under leave-one-out (one relevant item) it equals Recall@K; averaged over users it
 * is the "HR@K" of He et al. 2017 (NCF), §4.1.
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * hitAtK(Int32Array.of(7, 3, 9), Int32Array.of(3), 2); // 1
 * hitAtK(Int32Array.of(7, 3, 9), Int32Array.of(9), 2); // 0
 * ```
 */
export function hitAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'hitAtK');
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) return 1;
  return 0;
}

/**
 * Normalised discounted cumulative gain at K for one user, binary relevance:
 *
 *   DCG@K  = Σ_{i=1..K} 𝟙[top_i ∈ R] / log2(i + 1)
 *   IDCG@K = Σ_{i=1..min(K, |R|)} 1 / log2(i + 1)
 *   NDCG@K = DCG@K / IDCG@K
 *
 * (positions i are 1-based). With one relevant item at position i it is 1/log2(i+1),
 * as in He et al. 2017 (NCF), §4.1; with several, the ideal list places all of them
 * first (Järvelin & Kekäläinen 2002).
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * ndcgAtK(Int32Array.of(7, 3), Int32Array.of(3), 10); // 1 / log2(3) ≈ 0.631
 * ndcgAtK(Int32Array.of(3, 7), Int32Array.of(3, 7), 10); // 1
 * ```
 */
export function ndcgAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'ndcgAtK');
  const numRelevant = sizeOf(relevant);
  if (numRelevant === 0) return 0;
  let dcg = 0;
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) dcg += 1 / Math.log2(i + 2);
  let idcg = 0;
  const ideal = Math.min(k, numRelevant);
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
}

/**
 * Recall at K for one user: the share of the relevant items found in the first K.
 *
 *   Recall@K = |top_K ∩ R| / |R|
 *
 * Some papers divide by min(K, |R|) instead so that a perfect list scores 1 even
 * when |R| > K; this is the plain definition.
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * recallAtK(Int32Array.of(1, 2, 3), Int32Array.of(2, 5), 3); // 0.5
 * ```
 */
export function recallAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'recallAtK');
  const numRelevant = sizeOf(relevant);
  if (numRelevant === 0) return 0;
  let hits = 0;
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) hits++;
  return hits / numRelevant;
}

/**
 * Precision at K for one user: the share of the K positions that hold a relevant item.
 *
 *   Precision@K = |top_K ∩ R| / K
 *
 * The denominator is K even when fewer than K candidates were left to rank.
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * precisionAtK(Int32Array.of(1, 2, 3, 4), Int32Array.of(2, 4), 4); // 0.5
 * ```
 */
export function precisionAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'precisionAtK');
  let hits = 0;
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) hits++;
  return hits / k;
}

/**
 * Reciprocal rank at K for one user: 1 / (1-based position of the first relevant item
 * in the first K), or 0 if none is there. Its mean over users is MRR@K.
 *
 *   RR@K = max_{i ≤ K, top_i ∈ R} 1 / i
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * reciprocalRankAtK(Int32Array.of(5, 6, 7), Int32Array.of(7), 10); // 1/3
 * ```
 */
export function reciprocalRankAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'reciprocalRankAtK');
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) return 1 / (i + 1);
  return 0;
}

/**
 * The metrics protocols can compute by name; the result key is `${name}@${k}`, e.g.
 * `HR@10`. Adding a metric here makes it available to every protocol.
 *
 * @example
 * ```ts
 * RANKING_METRICS.NDCG(topK, relevant, 10);
 * ```
 */
export const RANKING_METRICS = {
  HR: hitAtK,
  NDCG: ndcgAtK,
  Recall: recallAtK,
  Precision: precisionAtK,
  MRR: reciprocalRankAtK,
} as const satisfies Record<string, RankingMetric>;

/**
 * A name in {@link RANKING_METRICS}.
 * @example
 * ```ts
 * const names: RankingMetricName[] = ['HR', 'NDCG', 'MRR'];
 * ```
 */
export type RankingMetricName = keyof typeof RANKING_METRICS;
