/**
 * `rank_topk`: score a block of users against every item by dot product, mask
 * each user's listed items (e.g. their training items), keep the K best per
 * user — the engine of full-ranking evaluation and of serving.
 *
 *   s[b, j] = f32(⟨U[b], V[j]⟩) (+ bias[j])       U [B, d], V [n, d], bias [n] optional
 *   top[b]  = the K items j ∉ mask(b) with the highest s[b, j], best first;
 *             equal scores go to the lower item index
 *   mask(b) = maskIndices[maskIndptr[b] .. maskIndptr[b + 1]), sorted ascending
 *
 * Ties: broken by the lower item index, the convention of `@rec/eval`'s
 * `topKIndices` (a stable sort by descending score), so a ranking never
 * depends on chance among equal scores. Scores are compared after rounding to
 * f32 — the precision every backend stores them in — so all backends agree on
 * which scores tie.
 *
 * Layouts and dtypes: inputs `[userFactors f32 [B, d], itemFactors f32 [n, d],
 * maskIndptr i32 [B + 1], maskIndices i32 [nnz]]` (a CSR over the block's
 * users; each row sorted ascending, no duplicates, ids in [0, n)), optionally
 * followed by `itemBias f32 [n]`: s = f32(f32(⟨U[b], V[j]⟩) + bias[j]), the dot product
 * rounded to f32 first, then the bias added in f32 (models with a per-item term: NMTR's
 * b_i of eq. 9, a GMF with a bias; a column of ones in U would cost a copy of V). Attribute
 * `k ≥ 1` (evaluation and serving use up to 200). Outputs `[topIndices i32
 * [B, k], topScores f32 [B, k]]`; a user with fewer than k unmasked items is
 * padded with index −1 and score −∞.
 *
 * Numerics: the reference sums each dot product in f64 in order k = 0..d−1 and
 * rounds it to f32; the native kernel accumulates in f32 (FMA), so scores agree
 * to f32 rounding and the index lists agree exactly whenever the products and
 * sums are exact in f32 (the parity tests use such inputs, with and without
 * ties). A NaN score is an error here; on faster backends it is unspecified.
 *
 * Cost: O(B·n·d) multiply-adds and O(B·n·log k) for the heaps; the reference
 * keeps one score row at a time.
 *
 * Threading: native splits users over threads with a blocked dot product and a
 * per-thread heap; output rows are disjoint, so results do not depend on the
 * thread count.
 *
 * @see Krichene & Rendle 2020, "On Sampled Metrics for Item Recommendation",
 *   KDD, §2 (why full ranking, not sampled negatives, for evaluation).
 */
import { hostData, hostF32, hostOutput } from '../../backends/js/backend.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { TopKHeap } from '../../search/top-k.js';
import { allocArray } from '../../tensor/dtype.js';

/**
 * Attributes of `rank_topk`.
 *
 * @example
 * ```ts
 * const [top, scores] = runKernel('rank_topk', [userBlock, itemFactors, maskIndptr, maskIndices], { k: 100 } satisfies RankTopkAttrs);
 * ```
 */
export interface RankTopkAttrs {
  /** How many items to keep per user, ≥ 1. */
  k: number;
}

/**
 * The declaration of `rank_topk` (family `ranking`).
 *
 * @example
 * ```ts
 * console.log(rankTopkSpec.summary);
 * ```
 */
export const rankTopkSpec = declareKernel({
  id: 'rank_topk',
  family: 'ranking',
  summary: 's = U·Vᵀ per user; drop masked items (CSR); keep top k by score, ties to the lower index',
  check: checkRankTopkInputs,
});

/**
 * The rule of `rank_topk` (its spec's `check`, run by `runKernel` on every backend): the
 * input count, the dtypes and shapes (U f32 [B, d], V f32 [n, d], maskIndptr i32 [B + 1],
 * maskIndices i32 [nnz], itemBias f32 [n]) and k an integer ≥ 1. It reads no tensor data: the
 * mask CSR's values are {@link checkRankTopkMask}'s here, the C++'s on native (the same
 * messages) and the GPU's on webgpu. Returns `{ users: B, items: n, dim: d }`.
 *
 * @example
 * ```ts
 * const { users, items } = checkRankTopkInputs([U, V, indptr, indices], { k: 100 });
 * ```
 */
export function checkRankTopkInputs(inputs: readonly Tensor[], attrs: RankTopkAttrs): { users: number; items: number; dim: number } {
  if (inputs.length !== 4 && inputs.length !== 5) {
    throw new Error(`rank_topk: expected 4 inputs [userFactors, itemFactors, maskIndptr, maskIndices] and optionally itemBias, got ${inputs.length}`);
  }
  const [U, V, indptr, indices, bias] = inputs;
  const { k } = attrs;
  if (!Number.isInteger(k) || k < 1) throw new Error(`rank_topk: k must be an integer ≥ 1, got ${k}`);
  if (U.dtype !== 'f32' || V.dtype !== 'f32' || U.shape.length !== 2 || V.shape.length !== 2 || U.shape[1] !== V.shape[1]) {
    throw new Error(`rank_topk: userFactors [B, d] and itemFactors [n, d] must be f32 with the same d; got [${U.shape.join(', ')}] and [${V.shape.join(', ')}]`);
  }
  const B = U.shape[0];
  const n = V.shape[0];
  if (indptr.dtype !== 'i32' || indptr.shape.length !== 1 || indptr.shape[0] !== B + 1) {
    throw new Error(`rank_topk: maskIndptr must be i32 [${B + 1}] (users + 1), got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  }
  if (indices.dtype !== 'i32' || indices.shape.length !== 1) throw new Error('rank_topk: maskIndices must be i32 [nnz]');
  if (bias && (bias.dtype !== 'f32' || bias.shape.length !== 1 || bias.shape[0] !== n)) {
    throw new Error(`rank_topk: itemBias must be f32 [${n}] (one per item), got ${bias.dtype} [${bias.shape.join(', ')}]`);
  }
  return { users: B, items: n, dim: U.shape[1] };
}

/**
 * The part of `rank_topk`'s checks that reads the mask (on the host): each user's CSR row a
 * range of maskIndices, holding item ids in [0, n) sorted ascending without duplicates. Run
 * after {@link checkRankTopkInputs}.
 *
 * @example
 * ```ts
 * checkRankTopkMask(hostData(indptr), hostData(indices), B, n);
 * ```
 */
export function checkRankTopkMask(ptr: ArrayLike<number>, idx: ArrayLike<number>, B: number, n: number): void {
  for (let b = 0; b < B; b++) {
    if (ptr[b] < 0 || ptr[b] > ptr[b + 1] || ptr[b + 1] > idx.length) throw new Error(`rank_topk: maskIndptr is not a valid CSR row pointer at user ${b}`);
    for (let e = ptr[b]; e < ptr[b + 1]; e++) {
      if (idx[e] < 0 || idx[e] >= n || (e > ptr[b] && idx[e] <= idx[e - 1])) {
        throw new Error(`rank_topk: mask of user ${b} must be item ids in [0, ${n}) sorted ascending without duplicates; entry ${e} is ${idx[e]}`);
      }
    }
  }
}

registerKernel<RankTopkAttrs>('rank_topk', 'js', ({ inputs, attrs, backend }) => {
  const { k } = attrs;
  const [B, d] = inputs[0].shape;
  const n = inputs[1].shape[0];
  const U = hostF32(inputs[0]);
  const V = hostF32(inputs[1]);
  const ptr = hostData(inputs[2]);
  const mask = hostData(inputs[3]);
  checkRankTopkMask(ptr, mask, B, n);
  const bias = inputs[4] ? hostF32(inputs[4]) : undefined;
  const topIndices = allocArray('i32', B * k).fill(-1);
  const topScores = allocArray('f32', B * k).fill(-Infinity);
  const heap = new TopKHeap(k);
  for (let b = 0; b < B; b++) {
    let next = ptr[b];
    const end = ptr[b + 1];
    const u = b * d;
    for (let j = 0; j < n; j++) {
      if (next < end && mask[next] === j) {
        next++;
        continue;
      }
      let dot = 0;
      const v = j * d;
      for (let c = 0; c < d; c++) dot += U[u + c] * V[v + c];
      const s = bias ? Math.fround(Math.fround(dot) + bias[j]) : Math.fround(dot);
      if (s !== s) throw new Error(`rank_topk: score of user ${b} and item ${j} is NaN`);
      heap.offer(s, j);
    }
    heap.drainBestFirst(topIndices, topScores, b * k);
  }
  return [hostOutput(backend, [B, k], 'i32', topIndices), hostOutput(backend, [B, k], 'f32', topScores)];
});
