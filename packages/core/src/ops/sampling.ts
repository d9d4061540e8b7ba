import { runKernel } from '../tensor/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import type { NegSampleExcludeAttrs } from '../kernels/sampling/neg_sample_exclude.js';
import { expectDType, expectRank } from './validate.js';

/** Per-user positives in compressed sparse row form: row u is indices[indptr[u] .. indptr[u+1]), sorted. */
export interface PositivesCSR {
  /** i32 [numUsers + 1]. */
  indptr: Tensor;
  /** i32 [nnz], sorted within each row. */
  indices: Tensor;
}

/** Counter-based randomness for a sampling call: (seed, stream) and the first counter it may use. */
export interface SamplingRandomness {
  seed: number;
  stream?: number;
  /** First Philox counter. A call uses `users.size × maxTries` counters from here; advance it between calls. */
  counter: number;
}

/**
 * One negative item per entry of `users`, uniform over the items that user
 * has no positive for (kernel `neg_sample_exclude`). Returns the negatives and
 * the number of rows whose tries ran out (their negative may be a positive).
 *
 * @example
 * ```ts
 * const { negatives } = sampleNegatives(users, positives, numItems, { seed: 1, counter: step * users.size * 16 });
 * ```
 */
export function sampleNegatives(
  users: Tensor,
  positives: PositivesCSR,
  numItems: number,
  randomness: SamplingRandomness,
  maxTries = 16,
): { negatives: Tensor; exhausted: Tensor } {
  expectDType(users, ['i32'], 'sampleNegatives', 'users');
  expectRank(users, 1, 'sampleNegatives', 'users');
  expectDType(positives.indptr, ['i32'], 'sampleNegatives', 'positives.indptr');
  expectDType(positives.indices, ['i32'], 'sampleNegatives', 'positives.indices');
  if (!(Number.isInteger(numItems) && numItems > 0)) throw new Error(`sampleNegatives: numItems must be a positive integer, got ${numItems}`);
  if (!(Number.isInteger(maxTries) && maxTries > 0)) throw new Error(`sampleNegatives: maxTries must be a positive integer, got ${maxTries}`);
  const attrs: NegSampleExcludeAttrs = { numItems, seed: randomness.seed, stream: randomness.stream ?? 0, counter: randomness.counter, maxTries };
  const [negatives, exhausted] = runKernel('neg_sample_exclude', [users, positives.indptr, positives.indices], attrs);
  return { negatives, exhausted };
}
