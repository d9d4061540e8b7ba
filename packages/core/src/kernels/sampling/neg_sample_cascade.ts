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
});

type Ints = ArrayLike<number>;

/** Checks the inputs of `neg_sample_cascade`; returns the behaviour count B. */
export function checkNegSampleCascadeInputs(users: Ints, positives: Ints, indptrShape: readonly number[], indptr: Ints, indices: Ints, numItems: number): number {
  const K = 'neg_sample_cascade';
  if (indptrShape.length !== 2 || indptrShape[0] < 1 || indptrShape[1] < 1) throw new Error(`${K}: indptr must have shape [behaviours, numUsers + 1], got [${indptrShape.join(', ')}]`);
  const [B, stride] = indptrShape;
  if (positives.length !== users.length) throw new Error(`${K}: positives has ${positives.length} entries but users has ${users.length}`);
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
  return B;
}

registerKernel<NegSampleCascadeAttrs>('neg_sample_cascade', 'js', ({ inputs: [usersT, positivesT, indptrT, indicesT], attrs, backend }) => {
  const users = hostData(usersT);
  const positives = hostData(positivesT);
  const indptr = hostData(indptrT);
  const indices = hostData(indicesT);
  const { numItems, seed, stream, counter, maxTries } = attrs;
  const B = checkNegSampleCascadeInputs(users, positives, indptrT.shape, indptr, indices, numItems);
  const stride = indptrT.shape[1];
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
