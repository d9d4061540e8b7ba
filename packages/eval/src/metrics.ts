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
 * Average precision at K for one user (its mean over users is MAP@K):
 *
 *   AP@K = 1 / min(K, |R|) · Σ_{i=1..K} 𝟙[top_i ∈ R] · Precision@i
 *
 * where Precision@i = |top_i ∩ R| / i is the precision of the first i positions.
 *
 * Normaliser: min(K, |R|), not |R|. A list cannot hold more than K relevant items, so
 * dividing by |R| would cap a perfect list at K/|R| < 1 for users with many held-out
 * items, mixing "how well ranked" with "how many were held out"; min(K, |R|) makes a
 * perfect list score 1 for every user. This is the convention of the usual `apk`
 * implementation (Hamner's ml_metrics, Kaggle) and of RecBole's MAP@K; with one relevant
 * item (leave-one-out) it equals reciprocal rank within K.
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * // hits at ranks 1 and 3 of 3 relevant items: (1/1 + 2/3) / min(3, 3) = 5/9
 * averagePrecisionAtK(Int32Array.of(4, 8, 6), Int32Array.of(4, 5, 6), 3); // 0.5556
 * ```
 */
export function averagePrecisionAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'averagePrecisionAtK');
  const numRelevant = sizeOf(relevant);
  if (numRelevant === 0) return 0;
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    if (contains(relevant, topK[i])) {
      hits++;
      sum += hits / (i + 1);
    }
  }
  return sum / Math.min(k, numRelevant);
}

/**
 * F1 at K for one user: the harmonic mean of that user's Precision@K and Recall@K,
 *
 *   F1@K = 2·P·R / (P + R),  P = |top_K ∩ R| / K,  R = |top_K ∩ R| / |R|
 *        = 2·|top_K ∩ R| / (K + |R|)
 *
 * and 0 when nothing relevant is in the first K. Averaged over users this is the
 * "mean of per-user F1". It is not the second-hand paper's F1@K (eq. 13), which takes
 * the harmonic mean of the averages: see {@link f1FromMeans}. The two differ whenever
 * users differ (the harmonic mean of means is not the mean of harmonic means), so a
 * report must say which one it shows.
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @example
 * ```ts
 * // 1 hit in K = 3, 2 relevant: P = 1/3, R = 1/2, F1 = 2·1 / (3 + 2) = 0.4
 * f1AtK(Int32Array.of(1, 2, 3), Int32Array.of(2, 5), 3); // 0.4
 * ```
 */
export function f1AtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'f1AtK');
  const numRelevant = sizeOf(relevant);
  if (numRelevant === 0) return 0;
  let hits = 0;
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) hits++;
  return (2 * hits) / (k + numRelevant);
}

/**
 * F1@K as the second-hand paper defines it (Yu et al., "Personalized Item
 * Recommendation for Second-hand Trading Platform", eq. 13): the harmonic mean of
 * Precision@K averaged over users and Recall@K averaged over users,
 *
 *   F1@K = 2 / [ |U| / Σ_u (|H_{u,K} ∩ G_u| / K) + |U| / Σ_u (|H_{u,K} ∩ G_u| / |G_u|) ]
 *        = 2·P̄·R̄ / (P̄ + R̄),  P̄ = mean_u Precision@K,  R̄ = mean_u Recall@K.
 *
 * It is computed from protocol outputs: pass `metrics['Precision@K']` and
 * `metrics['Recall@K']`, or the per-user arrays (their means are taken). When either
 * mean is 0 the equation's terms are 1/0, and the limit 2/∞ = 0 is returned. Compare
 * {@link f1AtK}, the per-user form.
 *
 * @param precision P̄, or per-user Precision@K values.
 * @param recall R̄, or per-user Recall@K values (same length as `precision` when both are arrays).
 * @throws Error when a mean is outside [0, 1] or not finite, an array is empty, or the
 * arrays' lengths differ.
 * @see secondhand-hierarchical-visual-multi-task.txt §4.2, eq. 13
 * @example
 * ```ts
 * f1FromMeans(0.2, 0.6); // 2·0.2·0.6 / 0.8 = 0.3
 * f1FromMeans(result.metrics['Precision@10'], result.metrics['Recall@10']);
 * ```
 */
export function f1FromMeans(precision: number | ArrayLike<number>, recall: number | ArrayLike<number>): number {
  if (typeof precision !== 'number' && typeof recall !== 'number' && precision.length !== recall.length) {
    throw new Error(
      `f1FromMeans: precision has ${precision.length} per-user values but recall has ${recall.length}; ` +
        'they must be aligned by user',
    );
  }
  const p = meanOf(precision, 'precision');
  const r = meanOf(recall, 'recall');
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}

function meanOf(values: number | ArrayLike<number>, what: string): number {
  let mean: number;
  if (typeof values === 'number') {
    mean = values;
  } else {
    if (values.length === 0) throw new Error(`f1FromMeans: ${what} is an empty array`);
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[i];
    mean = sum / values.length;
  }
  if (!(mean >= 0 && mean <= 1)) {
    throw new Error(`f1FromMeans: mean ${what} must be in [0, 1], got ${String(mean)}`);
  }
  return mean;
}

/**
 * Accuracy@K for one user, as the second-hand paper (Yu et al.) defines it (eq. 10):
 *
 *   Accuracy@K = Σ_{u∈U} Ind[(H_{u,K} ∩ G_u) ≠ ∅] / |U|
 *
 * The per-user term is 1 when any of the first K is relevant, so its mean over users is
 * the paper's Accuracy@K. The value is the same as {@link hitAtK} (HR@K); it is kept as
 * its own name so a reproduction can report the paper's column under the paper's name.
 * (RnR's "Accuracy@k" is a different quantity, Recall@k: use {@link recallAtK} there.)
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @see secondhand-hierarchical-visual-multi-task.txt §4.2, eq. 10
 * @example
 * ```ts
 * accuracyAtK(Int32Array.of(7, 3, 9), Int32Array.of(3, 4), 2); // 1
 * ```
 */
export function accuracyAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'accuracyAtK');
  for (let i = 0; i < n; i++) if (contains(relevant, topK[i])) return 1;
  return 0;
}

/**
 * AUC@K for one user, as the second-hand paper (Yu et al.) defines it (eq. 12): the
 * share of (relevant, non-relevant) pairs inside the top-K list that are in the right
 * order, the relevant one above.
 *
 *   AUC@K = Σ_{u∈U} [ Σ_{t1=1..K-1} Σ_{t2=t1+1..K} Ind[(H_{u,K,t1} ∈ G_u) ∧ (H_{u,K,t2} ∉ G_u)] ]
 *                   / [ |U| × |H_{u,K} ∩ G_u| × (K − |H_{u,K} ∩ G_u|) / 2 ]     (as printed)
 *
 * The per-user term computed here is, with h = |H_{u,K} ∩ G_u|,
 *
 *   AUC@K_u = #{ t1 < t2 ≤ K : top_t1 ∈ R, top_t2 ∉ R } / (h · (K − h))
 *
 * Choices where the equation is ambiguous, and why:
 * - **The printed "/ 2" is dropped.** The numerator counts each (relevant, non-relevant)
 *   pair at most once (t1 < t2), so it is at most h·(K − h); with the "/ 2" a perfect
 *   list would score 2 and a random one 1. The paper's Table 3 has AUC@K below
 *   Accuracy@K in every cell (e.g. 0.120 vs 0.210), which fits per-user values in [0, 1]
 *   averaged with 0 for users without a hit, not values in [0, 2].
 * - **h = 0 scores 0** (0/0 in the equation): the user had no hit, and scoring such users 0
 *   is what keeps AUC@K ≤ Accuracy@K as in Table 3.
 * - **h = K scores 1** (also 0/0): every position holds a relevant item, the best list
 *   there is; scoring it 0 would make the metric fall when a list gets better.
 * - Positions past the end of a list shorter than K count as non-relevant, below all the
 *   list's entries (as in the other metrics here).
 *
 * @throws Error when k is not a positive integer or `relevant` is not sorted.
 * @see secondhand-hierarchical-visual-multi-task.txt §4.2, eq. 12; `userAuc` (auc.ts)
 * for the usual AUC over all non-interacted (or sampled) items.
 * @example
 * ```ts
 * // K = 4, relevant at ranks 1 and 3: pairs (1,2) (1,4) (3,4) are right, (2,3) wrong → 3/4
 * aucAtK(Int32Array.of(5, 6, 7, 8), Int32Array.of(5, 7), 4); // 0.75
 * ```
 */
export function aucAtK(topK: Int32Array, relevant: RelevantItems, k: number): number {
  const n = prepare(topK, relevant, k, 'aucAtK');
  let hits = 0;
  let ordered = 0;
  for (let i = 0; i < n; i++) {
    if (contains(relevant, topK[i])) hits++;
    else ordered += hits; // this miss sits below every hit seen so far
  }
  if (hits === 0) return 0;
  if (hits === k) return 1;
  ordered += (k - n) * hits; // the missing tail positions are misses below every hit
  return ordered / (hits * (k - hits));
}

/**
 * The metrics protocols can compute by name; the result key is `${name}@${k}`, e.g.
 * `HR@10`. Adding a metric here makes it available to every protocol.
 *
 * `F1` is the per-user F1 ({@link f1AtK}); the second-hand paper's F1 (eq. 13) is
 * {@link f1FromMeans} of the `Precision` and `Recall` means. `TopKAUC` is that paper's
 * AUC@K (eq. 12, {@link aucAtK}), named apart from the usual AUC over all
 * non-interacted items (auc.ts) so that a report cannot mistake one for the other.
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
  MAP: averagePrecisionAtK,
  F1: f1AtK,
  Accuracy: accuracyAtK,
  TopKAUC: aucAtK,
} as const satisfies Record<string, RankingMetric>;

/**
 * A name in {@link RANKING_METRICS}.
 * @example
 * ```ts
 * const names: RankingMetricName[] = ['HR', 'NDCG', 'MRR'];
 * ```
 */
export type RankingMetricName = keyof typeof RANKING_METRICS;
