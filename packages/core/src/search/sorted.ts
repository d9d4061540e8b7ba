/**
 * True when `item` is in `sorted[lo, hi)`, a range sorted ascending: binary
 * search, O(log n). The one membership test behind per-user CSR rows (train
 * masks, positive exclusion in samplers, relevant-item sets in metrics).
 *
 * @example
 * ```ts
 * sortedHas(Int32Array.of(1, 4, 9), 4); // true
 * sortedHas(indices, item, indptr[user], indptr[user + 1]); // is item in user's row?
 * ```
 */
export function sortedHas(sorted: ArrayLike<number>, item: number, lo = 0, hi = sorted.length): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid];
    if (v === item) return true;
    if (v < item) lo = mid + 1;
    else hi = mid;
  }
  return false;
}
