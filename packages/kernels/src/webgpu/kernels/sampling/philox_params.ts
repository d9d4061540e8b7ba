/**
 * Uniform words shared by the WGSL samplers: the Philox key and the 64-bit
 * counter as (lo, hi) u32 pairs, and a probability as an exact integer
 * threshold on the 24-bit uniform the references compare against. The
 * attributes were checked by the kernels' spec rules (`checkDrawAttrs` in
 * `@rec/core`) before the glue runs.
 */

const TWO_POW_32 = 2 ** 32;
const TWO_POW_24 = 2 ** 24;

/**
 * The 64-bit Philox key of a seed: the same two's-complement words as
 * `@rec/core`'s `u32At`.
 *
 * @example
 * ```ts
 * philoxKey(-1); // [0xffffffff, 0xffffffff]
 * ```
 */
export function philoxKey(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`Philox seed must be a safe integer, got ${String(seed)}`);
  return [seed >>> 0, Math.floor(seed / TWO_POW_32) >>> 0];
}

/**
 * A non-negative safe-integer counter (the spec rules' `checkDrawAttrs` checked it) as
 * (lo, hi) words.
 *
 * @example
 * ```ts
 * counterWords(2 ** 34 + 1); // [1, 4]
 * ```
 */
export function counterWords(counter: number): [number, number] {
  return [counter >>> 0, Math.floor(counter / TWO_POW_32) >>> 0];
}

/**
 * The references draw a coin as x = (word >>> 8)·2⁻²⁴ and test x < p in f64.
 * With m = word >>> 8 an integer, x < p ⇔ m < ⌈p·2²⁴⌉ (p·2²⁴ is exact in f64), so
 * the shaders compare integers and agree bit for bit for every p, even one
 * that f32 cannot hold. NaN never passes (threshold 0); p ≥ 1 always does.
 *
 * @example
 * ```ts
 * coinThreshold(0.3); // 5033165: (word >> 8) < 5033165 ⇔ (word >>> 8)·2⁻²⁴ < 0.3
 * ```
 */
export function coinThreshold(p: number): number {
  if (!(p > 0)) return 0;
  return Math.min(Math.ceil(p * TWO_POW_24), TWO_POW_24);
}
