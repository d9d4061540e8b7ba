/**
 * Philox4x32-10, the counter-based block function of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3" (SC'11), as shipped in D. E. Shaw
 * Research's Random123 library.
 *
 * A counter-based generator has no sequential state: output block `i` is a pure
 * function of `(counter = i, key)`. That is what lets a C++ thread pool or a WGSL
 * kernel compute "value k of the stream" directly and agree bit for bit with this
 * reference implementation.
 *
 * JavaScript has no 64-bit integer multiply on `number`, so the 32x32 -> 64 products
 * of each round are formed from 16-bit halves. WGSL has no 64-bit integers either,
 * so the same split ports to a shader unchanged.
 */

// Round multipliers and Weyl key increments of Philox4x32 (Random123 philox.h:
// PHILOX_M4x32_0/1 and PHILOX_W32_0/1). The multipliers are kept pre-split into
// 16-bit halves because every round needs their high words.
const M0_LO = 0xd2511f53 & 0xffff;
const M0_HI = 0xd2511f53 >>> 16;
const M1_LO = 0xcd9e8d57 & 0xffff;
const M1_HI = 0xcd9e8d57 >>> 16;
const W0 = 0x9e3779b9 | 0;
const W1 = 0xbb67ae85 | 0;
const M0 = 0xd2511f53 | 0;
const M1 = 0xcd9e8d57 | 0;

/** Random123's default (and "Crush-resistant with margin") round count for Philox4x32. */
const ROUNDS = 10;

/**
 * High 32 bits of the exact 64-bit product of two unsigned 32-bit integers.
 *
 * The low 32 bits are `Math.imul(a, b) >>> 0`; this supplies the other half, which a
 * `number` multiply cannot give exactly because the product needs up to 64 bits.
 * The product is assembled from four 16x16-bit partial products, each below 2^32,
 * and the carries out of the low word are added explicitly, so the result is exact
 * for every input pair.
 *
 * @param a - unsigned 32-bit factor (any `number` is reduced with ToUint32).
 * @param b - unsigned 32-bit factor (any `number` is reduced with ToUint32).
 * @returns `floor(a * b / 2^32)` as an unsigned 32-bit integer.
 *
 * @example
 * ```ts
 * mulhi32(0xffffffff, 0xffffffff); // 0xfffffffe
 * mulhi32(0x10000, 0x10000);       // 1
 * ```
 */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  // Math.imul keeps the partial products in int32 registers; a product that reaches
  // 2^31 reads back as negative, but `>>> 16` and `& 0xffff` only see its bit pattern.
  const lowLow = Math.imul(aLo, bLo);
  const lowHigh = Math.imul(aLo, bHi);
  const highLow = Math.imul(aHi, bLo);
  const highHigh = Math.imul(aHi, bHi);
  const middle = (lowLow >>> 16) + (lowHigh & 0xffff) + (highLow & 0xffff);
  // The true high word is below 2^32, so summing modulo 2^32 loses nothing.
  return (highHigh + (lowHigh >>> 16) + (highLow >>> 16) + (middle >>> 16)) >>> 0;
}

/**
 * Philox4x32-10 on a counter and key passed as separate words, writing the four
 * output words into `out[offset .. offset + 3]`.
 *
 * This is the allocation-free form for hot loops (stream refills, bulk fills): no
 * arrays are created for the counter, key or result. Words are reduced with
 * ToUint32, so callers may pass signed int32 bit patterns.
 *
 * Round structure (identical to Random123 `philox4x32_R(10, ctr, key)`): for
 * `r = 0 .. 9`, if `r > 0` first bump the key `k0 += 0x9E3779B9`, `k1 += 0xBB67AE85`
 * (mod 2^32), then with `(hi0, lo0) = 0xD2511F53 * c0` and `(hi1, lo1) = 0xCD9E8D57 * c2`
 * (full 64-bit products) set `c = [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]`.
 *
 * @param c0 - counter word 0 (least significant in Random123's convention).
 * @param c1 - counter word 1.
 * @param c2 - counter word 2.
 * @param c3 - counter word 3.
 * @param k0 - key word 0.
 * @param k1 - key word 1.
 * @param out - receives the four output words.
 * @param offset - index in `out` of the first output word; defaults to 0.
 *
 * @example
 * ```ts
 * const block = new Uint32Array(8);
 * philox4x32Into(0, 0, 0, 0, 0, 0, block, 4);
 * block[4].toString(16); // '6627e8d5'
 * ```
 */
export function philox4x32Into(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
  offset = 0,
): void {
  c0 |= 0;
  c1 |= 0;
  c2 |= 0;
  c3 |= 0;
  k0 |= 0;
  k1 |= 0;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      k0 = (k0 + W0) | 0;
      k1 = (k1 + W1) | 0;
    }
    // mulhi32 is inlined by hand with the multipliers' halves precomputed: this loop
    // runs 10 times per four outputs and dominates every sampler built on it.
    const c0Lo = c0 & 0xffff;
    const c0Hi = c0 >>> 16;
    const a = Math.imul(M0_LO, c0Lo);
    const b = Math.imul(M0_LO, c0Hi);
    const c = Math.imul(M0_HI, c0Lo);
    const mid0 = (a >>> 16) + (b & 0xffff) + (c & 0xffff);
    const hi0 = (Math.imul(M0_HI, c0Hi) + (b >>> 16) + (c >>> 16) + (mid0 >>> 16)) | 0;
    const lo0 = Math.imul(M0, c0);

    const c2Lo = c2 & 0xffff;
    const c2Hi = c2 >>> 16;
    const d = Math.imul(M1_LO, c2Lo);
    const e = Math.imul(M1_LO, c2Hi);
    const f = Math.imul(M1_HI, c2Lo);
    const mid1 = (d >>> 16) + (e & 0xffff) + (f & 0xffff);
    const hi1 = (Math.imul(M1_HI, c2Hi) + (e >>> 16) + (f >>> 16) + (mid1 >>> 16)) | 0;
    const lo1 = Math.imul(M1, c2);

    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[offset] = c0;
  out[offset + 1] = c1;
  out[offset + 2] = c2;
  out[offset + 3] = c3;
}

/**
 * Philox4x32-10 block function: maps a 128-bit counter and a 64-bit key to 128
 * pseudo-random bits, exactly as Random123's `philox4x32(ctr, key)`.
 *
 * The function is pure: the same `(counter, key)` always gives the same four words,
 * and inputs are never modified. Words are reduced with ToUint32. Pass `out` to
 * reuse a buffer; for loops that should not build counter arrays either, use
 * {@link philox4x32Into}.
 *
 * @param counter - four unsigned 32-bit counter words `[c0, c1, c2, c3]`.
 * @param key - two unsigned 32-bit key words `[k0, k1]`.
 * @param out - optional buffer of length >= 4 that receives the result.
 * @returns `out` (or a new `Uint32Array(4)`) holding the four output words.
 * @throws RangeError if `counter` does not hold 4 words, `key` 2 words, or `out` is
 *   shorter than 4.
 *
 * @example
 * ```ts
 * // Random123 known-answer vector "philox4x32 10" with the digits of pi:
 * const out = philox4x32(
 *   [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
 *   [0xa4093822, 0x299f31d0],
 * );
 * Array.from(out, (w) => w.toString(16)); // ['d16cfe09', '94fdcceb', '5001e420', '24126ea1']
 * ```
 */
export function philox4x32(
  counter: ArrayLike<number>,
  key: ArrayLike<number>,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  if (counter.length !== 4) {
    throw new RangeError(`philox4x32: counter must hold 4 words, got ${counter.length}`);
  }
  if (key.length !== 2) {
    throw new RangeError(`philox4x32: key must hold 2 words, got ${key.length}`);
  }
  if (out.length < 4) {
    throw new RangeError(`philox4x32: out must hold at least 4 words, got ${out.length}`);
  }
  philox4x32Into(counter[0], counter[1], counter[2], counter[3], key[0], key[1], out, 0);
  return out;
}
