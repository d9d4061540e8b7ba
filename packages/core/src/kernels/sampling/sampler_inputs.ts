/**
 * The pieces of the samplers' spec rules (`neg_sample_*`, `sample_weighted_candidates`):
 * an id vector's dtype and rank, and the attributes every sampler shares (tries per row,
 * the item count, a probability). They read shapes and attributes only, never tensor
 * data, so `runKernel` runs them on every backend before the draws; the Philox
 * attributes are `checkDrawAttrs`' (draw_attrs.ts).
 */
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Throws unless `t` is a vector (rank 1) of `dtype`; `length` is how the message writes its
 * length (`n`, `numUsers + 1`).
 *
 * @example
 * ```ts
 * checkSamplerVector('neg_sample_exclude', 'users', users, 'i32', 'n');
 * // neg_sample_exclude: users must be i32 [n], got f32 [4]
 * ```
 */
export function checkSamplerVector(K: string, name: string, t: Tensor, dtype: 'i32' | 'f32', length: string): void {
  if (t.dtype !== dtype || t.shape.length !== 1) throw new Error(`${K}: ${name} must be ${dtype} [${length}], got ${t.dtype} [${t.shape.join(', ')}]`);
}

/**
 * Throws unless `indptr` is a CSR row pointer's shape: i32 [rows + 1], at least one entry
 * (an empty one names no row, not even row 0's start).
 *
 * @example
 * ```ts
 * checkSamplerIndptr('neg_sample_exclude', 'indptr', indptr, 'numUsers');
 * ```
 */
export function checkSamplerIndptr(K: string, name: string, indptr: Tensor, rows: string): void {
  if (indptr.dtype !== 'i32' || indptr.shape.length !== 1 || indptr.shape[0] < 1) {
    throw new Error(`${K}: ${name} must be i32 [${rows} + 1] (at least one entry), got ${indptr.dtype} [${indptr.shape.join(', ')}]`);
  }
}

/**
 * Throws unless `maxTries` (the tries per row T) is an integer in [1, 2²⁰]: the range the
 * native kernels take, and the one `bpr_sample_step` declares.
 *
 * @example
 * ```ts
 * checkMaxTries('neg_sample_cascade', 8);
 * ```
 */
export function checkMaxTries(K: string, maxTries: number): void {
  if (!(Number.isInteger(maxTries) && maxTries >= 1 && maxTries <= 2 ** 20)) throw new Error(`${K}: maxTries must be an integer in [1, 2²⁰], got ${maxTries}`);
}

/**
 * Throws unless `numItems` is an integer in [1, 2³¹): the drawn ids are i32.
 *
 * @example
 * ```ts
 * checkNumItems('neg_sample_exclude', 3706);
 * ```
 */
export function checkNumItems(K: string, numItems: number): void {
  if (!(Number.isInteger(numItems) && numItems >= 1 && numItems < 2 ** 31)) throw new Error(`${K}: numItems must be an integer in [1, 2³¹), got ${numItems}`);
}

/**
 * Throws unless the probability attribute `name` is a number in [0, 1].
 *
 * @example
 * ```ts
 * checkRate('neg_sample_category', 'siblingRate', 0.5);
 * ```
 */
export function checkRate(K: string, name: string, p: number): void {
  if (!(typeof p === 'number' && p >= 0 && p <= 1)) throw new Error(`${K}: ${name} must be a number in [0, 1], got ${p}`);
}
