/**
 * The `lanes` attribute of `bpr_step` and `bpr_sample_step` (without the category table): a
 * fixed permutation of each batch in which the triples of one stratum split into L lanes that
 * touch disjoint rows, so that native threads run the lanes of a stratum at once, with no
 * waits, and the result still depends on the batch and L only.
 *
 * Why: the default schedule keeps every row's updates in batch order, so on several threads a
 * triple waits for any earlier triple of another thread that shares one of its rows, and on
 * the 2-vCPU VM this was built on it ran no faster on two threads than on one while Hogwild
 * gained up to 2× (apps/bench README, issue 11). Lanes are DSGD's strata (Gemulla, Nijkamp,
 * Haas & Sismanis, "Large-Scale Matrix Factorization with Distributed Stochastic Gradient
 * Descent", KDD 2011, §4) for BPR's triples, whose two items share one table:
 *
 * - Blocks: user u in block ⌊h(u)·L / 2¹⁶⌋, item i in block ⌊h(i)·2L / 2¹⁶⌋, with
 *   h(id) = (id·0x9E3779B1 mod 2³²) >> 16 (a fixed mix, so that popular low ids spread).
 * - Strata: the 2L item blocks are paired by the round-robin 1-factorisation of K_2L — with
 *   M = 2L − 1, matching m ∈ [0, M) has the edges e_0 = {M, m} and
 *   e_k = {(m + k) mod M, (m − k) mod M} (k = 1 … L − 1), and every pair of distinct blocks is an
 *   edge of exactly one matching. Stratum s = m·L + r gives lane l the user block l and the
 *   item blocks of e_{(l + r) mod L}: the lanes of a stratum share no row.
 * - Triple (u, i, j) with blocks (l, a, b) goes to lane l of the stratum whose edge for lane l
 *   holds {a, b}: for a ≠ b the matching with the edge {a, b} (m = b if a = M, a if b = M,
 *   else (a + b)·(M + 1)/2 mod M); for a = b, m = a (or 0 when a = M), whose edge e_0 holds a.
 * - The order: strata ascending, lanes ascending within a stratum, batch order within a lane.
 *
 * So every backend computes "the triples in that order", and native may run the lanes of a
 * stratum on different threads with the same bits. L = 1 is batch order: the serial semantics.
 * A caller passes its thread count (as `parts`), which gives "same seed, same data, same
 * REC_THREADS → same model" (issue 11), not the same model on every thread count. The order is
 * a permutation within one batch of triples drawn i.i.d., which SGD's argument does not
 * distinguish from batch order; what it costs a model is measured in the bench README. Strata
 * grow as L(2L − 1), so each lane of each stratum holds about n / (2L³) of a batch of n: large
 * L needs large batches. Ignored under `hogwild`.
 */
import { checkCountAttr, scheduleCount } from './category_parts.js';

/** The largest `lanes` accepted (16 lanes: 496 strata, 7,936 lane-strata). */
export const MAX_LANES = 16;

/**
 * The `lanes` a call computes with: 1 under `hogwild` (which ignores it), else the attribute (default 1).
 *
 * @example
 * ```ts
 * effectiveLanes({ hogwild: false, lanes: 2 }); // 2
 * ```
 */
export function effectiveLanes(attrs: { hogwild?: boolean; lanes?: number }): number {
  return scheduleCount(attrs, attrs.lanes);
}

/**
 * Checks a `lanes` attribute: undefined, or an integer from 1 to {@link MAX_LANES}.
 *
 * @example
 * ```ts
 * checkLanesAttr('bpr_step', attrs.lanes);
 * ```
 */
export function checkLanesAttr(K: string, lanes: unknown): void {
  checkCountAttr(K, 'lanes', lanes, MAX_LANES);
}

/**
 * The block of `id` among `count` (see the file's header).
 *
 * @example
 * ```ts
 * laneBlock(7, 4); // an integer in [0, 4)
 * ```
 */
export function laneBlock(id: number, count: number): number {
  return ((Math.imul(id, 0x9e3779b1) >>> 16) * count) >>> 16;
}

/** The index of the edge of matching `m` (of M = 2L − 1) that holds item block a. */
function edgeOf(a: number, m: number, M: number, L: number): number {
  if (a === M || a === m) return 0;
  const k = (a - m + M) % M;
  return k < L ? k : M - k;
}

/** The matching (of M = 2L − 1) whose edge holds item blocks a and b. */
function matchingOf(a: number, b: number, M: number): number {
  if (a === b) return a < M ? a : 0;
  if (a === M) return b;
  if (b === M) return a;
  return ((a + b) * ((M + 1) / 2)) % M;
}

/**
 * The stratum of a triple whose user is in block `lane` and whose items are in blocks a and b, with L lanes.
 *
 * @example
 * ```ts
 * laneStratum(0, 1, 2, 2); // a stratum in [0, 6)
 * ```
 */
export function laneStratum(lane: number, a: number, b: number, L: number): number {
  const M = 2 * L - 1;
  const m = matchingOf(a, b, M);
  return m * L + ((edgeOf(a, m, M, L) - lane + L) % L);
}

/**
 * The order in which a batch's triples run with L lanes (see the file's header): their
 * indices, strata ascending, lanes ascending within a stratum, batch order within a lane
 * (a stable counting sort). L = 1 gives 0, 1, …, n − 1.
 *
 * @example
 * ```ts
 * const order = laneOrder(users, positives, negatives, 2);
 * for (const t of order) step(t);
 * ```
 */
export function laneOrder(users: ArrayLike<number>, positives: ArrayLike<number>, negatives: ArrayLike<number>, L: number): Int32Array {
  const n = users.length;
  const order = new Int32Array(n);
  if (L === 1) {
    for (let t = 0; t < n; t++) order[t] = t;
    return order;
  }
  const tasks = (2 * L - 1) * L * L;
  const task = new Int32Array(n);
  const begin = new Int32Array(tasks + 1);
  for (let t = 0; t < n; t++) {
    const l = laneBlock(users[t], L);
    const q = laneStratum(l, laneBlock(positives[t], 2 * L), laneBlock(negatives[t], 2 * L), L) * L + l;
    task[t] = q;
    begin[q + 1]++;
  }
  for (let q = 0; q < tasks; q++) begin[q + 1] += begin[q];
  for (let t = 0; t < n; t++) order[begin[task[t]]++] = t;
  return order;
}
