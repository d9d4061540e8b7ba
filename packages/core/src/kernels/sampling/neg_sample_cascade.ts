/**
 * `neg_sample_cascade`: per-behaviour negatives for a cascade of behaviours
 * (NMTR §III-D, "for each observed interaction, we sample a negative instance
 * from u's unobserved interactions of the behavior type"). For row r with
 * user u and positive i, and each behaviour b of B (e.g. view, cart, buy):
 *
 *   i ∈ items_b(u):  j_rb ~ Uniform(items \ items_b(u)) by bounded retry
 *   otherwise:       j_rb = -1 (no positive instance of behaviour b, so no negative)
 *
 * Try t of (r, b) uses Philox word k = counter + (r·B + b)·T + t (T = maxTries),
 * j = mulhi32(word k, V); a j in items_b(u) is retried; after T tries the slot
 * keeps its last draw and counts in `exhausted`. So a cart negative may be an
 * item the user only viewed, as the paper's example says.
 *
 * Inputs: users i32 [n]; positives i32 [n]; indptr i32 [B, U + 1] (row
 * pointers of behaviour b's user → items CSR, absolute offsets into one shared
 * `indices`); indices i32 [nnz], sorted within each (b, u) row.
 * Outputs: negatives i32 [n, B]; exhausted i32 [1].
 * EXACT parity across backends (counter-based words).
 */
import { hostData, hostOutput } from '../../backends/js/backend.js';
import { mulhi32 } from '../../random/philox.js';
import { u32At } from '../../random/rng.js';
import { sortedHas } from '../../search/sorted.js';
import { declareKernel, registerKernel } from '../../tensor/registry.js';
import { allocArray } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkDrawAttrs } from './draw_attrs.js';
import { checkMaxTries, checkNumItems, checkSamplerVector } from './sampler_inputs.js';

/** Attributes of `neg_sample_cascade`. */
export interface NegSampleCascadeAttrs {
  numItems: number;
  seed: number;
  stream: number;
  counter: number;
  maxTries: number;
}

export const negSampleCascadeSpec = declareKernel({
  id: 'neg_sample_cascade',
  family: 'sampling',
  summary: 'per behaviour b with i ∈ items_b(u): j_b ~ Uniform(items \\ items_b(u)), else -1',
  check: checkNegSampleCascadeInputs,
});

type Ints = ArrayLike<number>;

/**
 * The rule of `neg_sample_cascade` (its spec's `check`, run by `runKernel` on every
 * backend): 4 inputs [users i32 [n], positives i32 [n], indptr i32 [B, numUsers + 1] with
 * B ≥ 1, indices i32 [nnz]]; numItems in [1, 2³¹), maxTries in [1, 2²⁰] and the Philox
 * attributes, the n·B·T words from `counter` safe integers. It reads no tensor data (see
 * {@link checkNegSampleCascadeIds} for what does). Returns the behaviour count B.
 *
 * @example
 * ```ts
 * const B = checkNegSampleCascadeInputs([users, positives, indptr, indices], { numItems: 100, seed: 1, stream: 0, counter: 0, maxTries: 16 });
 * ```
 */
export function checkNegSampleCascadeInputs(inputs: readonly Tensor[], attrs: NegSampleCascadeAttrs): number {
  const K = 'neg_sample_cascade';
  if (inputs.length !== 4) throw new Error(`${K}: expected 4 inputs [users, positives, indptr, indices], got ${inputs.length}`);
  const [users, positives, indptr, indices] = inputs;
  checkSamplerVector(K, 'users', users, 'i32', 'n');
  checkSamplerVector(K, 'positives', positives, 'i32', 'n');
  if (positives.size !== users.size) throw new Error(`${K}: positives has ${positives.size} entries but users has ${users.size}`);
  if (indptr.dtype !== 'i32') throw new Error(`${K}: indptr must be i32 [behaviours, numUsers + 1], got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  if (indptr.shape.length !== 2 || indptr.shape[0] < 1 || indptr.shape[1] < 1) throw new Error(`${K}: indptr must have shape [behaviours, numUsers + 1], got [${indptr.shape.join(', ')}]`);
  checkSamplerVector(K, 'indices', indices, 'i32', 'nnz');
  const { numItems, maxTries } = attrs;
  checkNumItems(K, numItems);
  checkMaxTries(K, maxTries);
  const n = users.size;
  const B = indptr.shape[0];
  checkDrawAttrs(K, attrs, n * B * maxTries, `${n}·${B}·${maxTries}`);
  return B;
}

/**
 * The part of `neg_sample_cascade`'s checks that reads the data (the reference's; the C++
 * makes the same checks with the same messages): every (behaviour, user) row pointer a range
 * of `indices`, users and positives in range. Run after {@link checkNegSampleCascadeInputs}.
 *
 * @example
 * ```ts
 * checkNegSampleCascadeIds(hostData(users), hostData(positives), 2, hostData(indptr), hostData(indices), 100);
 * ```
 */
export function checkNegSampleCascadeIds(users: Ints, positives: Ints, B: number, indptr: Ints, indices: Ints, numItems: number): void {
  const K = 'neg_sample_cascade';
  const stride = indptr.length / B;
  for (let b = 0; b < B; b++) {
    for (let u = 0; u + 1 < stride; u++) {
      const lo = indptr[b * stride + u];
      const hi = indptr[b * stride + u + 1];
      if (lo < 0 || lo > hi || hi > indices.length) throw new Error(`${K}: indptr is not a valid CSR row pointer at behaviour ${b}, user ${u}`);
    }
  }
  for (let r = 0; r < users.length; r++) {
    if (users[r] < 0 || users[r] >= stride - 1) throw new Error(`${K}: user ${users[r]} at position ${r} is out of range for ${stride - 1} users`);
    if (positives[r] < 0 || positives[r] >= numItems) throw new Error(`${K}: positive ${positives[r]} at position ${r} is out of range for ${numItems} items`);
  }
}

registerKernel<NegSampleCascadeAttrs>('neg_sample_cascade', 'js', ({ inputs: [usersT, positivesT, indptrT, indicesT], attrs, backend }) => {
  const users = hostData(usersT);
  const positives = hostData(positivesT);
  const indptr = hostData(indptrT);
  const indices = hostData(indicesT);
  const { numItems, seed, stream, counter, maxTries } = attrs;
  const [B, stride] = indptrT.shape;
  checkNegSampleCascadeIds(users, positives, B, indptr, indices, numItems);
  const n = users.length;
  const out = allocArray('i32', n * B);
  let exhausted = 0;
  for (let r = 0; r < n; r++) {
    for (let b = 0; b < B; b++) {
      const lo = indptr[b * stride + users[r]];
      const hi = indptr[b * stride + users[r] + 1];
      if (!sortedHas(indices, positives[r], lo, hi)) {
        out[r * B + b] = -1;
        continue;
      }
      let item = 0;
      let t = 0;
      for (; t < maxTries; t++) {
        item = mulhi32(u32At(seed, stream, counter + (r * B + b) * maxTries + t), numItems);
        if (!sortedHas(indices, item, lo, hi)) break;
      }
      if (t === maxTries) exhausted++;
      out[r * B + b] = item;
    }
  }
  return [hostOutput(backend, [n, B], 'i32', out), hostOutput(backend, [1], 'i32', Int32Array.of(exhausted))];
});
