/**
 * `neg_sample_exclude`: for each row r, a negative item for user users[r]
 * drawn uniformly from the items that user has no positive interaction with.
 *
 * Draws: try t of row r uses Philox word w = u32(seed, stream, counter + r·T + t)
 * (T = maxTries) and item = ⌊w · numItems / 2³²⌋ (multiply-high; bias at most
 * numItems / 2³², e.g. 0.02 % for a million items, and no rejection loop, so
 * every backend consumes the same counters). A draw that hits one of the
 * user's positives (binary search in the user's sorted CSR row) is retried;
 * after T tries the row keeps its last draw and is counted in `exhausted`,
 * which callers report (it only happens for users who interacted with nearly
 * every item).
 *
 * Inputs: users i32 [n]; indptr i32 [U + 1]; indices i32 [nnz], sorted per row.
 * Outputs: negatives i32 [n]; exhausted i32 [1].
 * Serves: BPR (Rendle et al. 2009, §4.3 LearnBPR) and every model trained with
 * sampled negatives.
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { mulhi32 } from '../../random/philox.js';
import { u32At } from '../../random/rng.js';
import { sortedHas } from '../../search/sorted.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from './draw_attrs.js';
import { checkMaxTries, checkNumItems, checkSamplerIndptr, checkSamplerVector } from './sampler_inputs.js';

export interface NegSampleExcludeAttrs {
  numItems: number;
  seed: number;
  stream: number;
  counter: number;
  maxTries: number;
}

export const negSampleExcludeSpec = declareKernel({
  id: 'neg_sample_exclude',
  family: 'sampling',
  summary: "j ~ Uniform(items \\ positives(u)) by bounded retry with counter-based draws",
  check: checkNegSampleExcludeInputs,
});

/**
 * The rule of `neg_sample_exclude` (its spec's `check`, run by `runKernel` on every
 * backend): three i32 vectors [users, indptr, indices] (indptr with at least one entry),
 * numItems in [1, 2³¹), maxTries in [1, 2²⁰] and the Philox attributes, the n·T words from
 * `counter` safe integers. It reads no tensor data: users in range and the CSR rows are
 * checked where the data lives (here in {@link excludeDraws}, in the C++, on the GPU).
 *
 * @example
 * ```ts
 * checkNegSampleExcludeInputs([users, indptr, indices], { numItems: 100, seed: 1, stream: 0, counter: 0, maxTries: 32 });
 * ```
 */
export function checkNegSampleExcludeInputs(inputs: readonly Tensor[], attrs: NegSampleExcludeAttrs): void {
  const K = 'neg_sample_exclude';
  if (inputs.length !== 3) throw new Error(`${K}: expected 3 inputs [users, indptr, indices], got ${inputs.length}`);
  const [users, indptr, indices] = inputs;
  checkSamplerVector(K, 'users', users, 'i32', 'n');
  checkSamplerIndptr(K, 'indptr', indptr, 'numUsers');
  checkSamplerVector(K, 'indices', indices, 'i32', 'nnz');
  const { numItems, maxTries } = attrs;
  checkNumItems(K, numItems);
  checkMaxTries(K, maxTries);
  const n = users.shape[0];
  checkDrawAttrs(K, attrs, n * maxTries, `${n}·${maxTries}`);
}

/**
 * The reference's draws: one negative per entry of `users` (see the file's header), and the
 * count of rows whose tries ran out. Shared with `bpr_sample_step`, whose negatives are these;
 * `K` names the kernel in the error for a user outside the CSR.
 *
 * @example
 * ```ts
 * const { out, exhausted } = excludeDraws(users, indptr, indices, { numItems: 100, seed: 1, stream: 0, counter: 0, maxTries: 32 });
 * ```
 */
export function excludeDraws(
  u: ArrayLike<number>, ptr: ArrayLike<number>, idx: ArrayLike<number>, attrs: NegSampleExcludeAttrs, K = 'neg_sample_exclude',
): { out: Int32Array; exhausted: number } {
  const { numItems, seed, stream, counter, maxTries } = attrs;
  const numUsers = ptr.length - 1;
  const out = allocArray('i32', u.length);
  let exhausted = 0;
  for (let r = 0; r < u.length; r++) {
    const user = u[r];
    if (user < 0 || user >= numUsers) throw new Error(`${K}: user ${user} at position ${r} is out of range for ${numUsers} users`);
    const lo = ptr[user];
    const hi = ptr[user + 1];
    let item = 0;
    let t = 0;
    for (; t < maxTries; t++) {
      item = mulhi32(u32At(seed, stream, counter + r * maxTries + t), numItems);
      if (!sortedHas(idx, item, lo, hi)) break;
    }
    if (t === maxTries) exhausted++;
    out[r] = item;
  }
  return { out, exhausted };
}

registerKernel<NegSampleExcludeAttrs>('neg_sample_exclude', 'js', ({ inputs: [users, indptr, indices], attrs, backend }) => {
  const { out, exhausted } = excludeDraws(hostData(users), hostData(indptr), hostData(indices), attrs);
  return [hostOutput(backend, [out.length], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
});
