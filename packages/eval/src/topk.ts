/**
 * Masked top-K selection over one score vector, for scorers that return every
 * item's score; the bounded heap is core's `TopKHeap`, shared with the
 * `rank_topk` kernel's reference so both break ties the same way.
 */
import { TopKHeap } from '@rec/core';

/**
 * Indexes to leave out of the ranking: a sorted ascending Int32Array (e.g. a user's
 * train items, a CSR row) or a predicate on the index.
 * @example
 * ```ts
 * const byList: ExcludedItems = trainItems.rowOf(user);       // sorted Int32Array
 * const byTest: ExcludedItems = (item) => outOfStock[item] === 1;
 * ```
 */
export type ExcludedItems = Int32Array | ((index: number) => boolean);

/** Named for messages: a sorted exclusion list must be ascending and in range. */
function checkExcluded(excluded: Int32Array, n: number): void {
  for (let j = 0; j < excluded.length; j++) {
    const v = excluded[j];
    if (v < 0 || v >= n) {
      throw new Error(`topKIndices: excluded[${j}] = ${v} is outside [0, scores.length = ${n})`);
    }
    if (j > 0 && v <= excluded[j - 1]) {
      throw new Error(
        `topKIndices: excluded items must be sorted ascending without duplicates, ` +
          `but excluded[${j - 1}] = ${excluded[j - 1]} and excluded[${j}] = ${v}`,
      );
    }
  }
}

/**
 * The indexes of the `k` highest scores, best first, skipping excluded indexes.
 *
 * A size-k binary min-heap holds the best k seen so far with the worst at its root, so
 * each score costs one comparison against the root and, if it gets in, O(log k) to
 * sift: O(n log k) time, O(k) memory, one pass over `scores`. A sorted exclusion list
 * is merged in that pass (O(n + m)); a predicate is called once per index.
 *
 * Ties are broken by the lower index first, so the result is a deterministic function
 * of the scores, identical to a stable sort by descending score. This matters for
 * models that output many equal scores (most-popular, untrained embeddings): ranking
 * the test item among ties by chance would make the metric depend on item numbering
 * in an undocumented way.
 *
 * @param scores one score per item; NaN is an error (it has no place in an order).
 * @param k how many to return; more than the non-excluded count returns them all.
 * @param excluded indexes that may not appear in the result.
 * @returns Int32Array of length min(k, number of non-excluded indexes).
 * @throws Error when k is not a positive integer, a score is NaN, or the exclusion list
 * is out of range or unsorted.
 * @example
 * ```ts
 * topKIndices(Float32Array.of(0.1, 0.9, 0.5, 0.9), 2);                // Int32Array [1, 3]
 * topKIndices(Float32Array.of(0.1, 0.9, 0.5, 0.9), 2, Int32Array.of(1)); // Int32Array [3, 2]
 * ```
 */
export function topKIndices(scores: Float32Array | Float64Array, k: number, excluded?: ExcludedItems): Int32Array {
  if (!Number.isInteger(k) || k <= 0) {
    throw new Error(`topKIndices: k must be a positive integer, got ${String(k)}`);
  }
  const n = scores.length;
  const excludedList = excluded instanceof Int32Array ? excluded : undefined;
  const excludedTest = typeof excluded === 'function' ? excluded : undefined;
  if (excludedList) checkExcluded(excludedList, n);

  const heap = new TopKHeap(Math.min(k, n));
  let nextExcluded = 0;
  for (let i = 0; i < n; i++) {
    if (excludedList) {
      if (nextExcluded < excludedList.length && excludedList[nextExcluded] === i) {
        nextExcluded++;
        continue;
      }
    } else if (excludedTest && excludedTest(i)) {
      continue;
    }
    const s = scores[i];
    if (s !== s) throw new Error(`topKIndices: scores[${i}] is NaN`);
    heap.offer(s, i);
  }
  const result = new Int32Array(heap.size);
  heap.drainBestFirst(result);
  return result;
}
