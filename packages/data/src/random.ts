/**
 * A tiny seeded PRNG for data generation and tie-breaking inside `@rec/data`.
 *
 * This module is internal (not exported from the package): `@rec/core` is growing a
 * counter-based Philox generator, and once it lands the splitters and the synthetic
 * generator move to it. Until then this keeps `@rec/data` free of a core dependency.
 *
 * The generator is splitmix32: a Weyl sequence (`state += 0x9e3779b9`) passed
 * through the murmur3 `fmix32` finaliser. It is fast, has a 2^32 period per stream
 * (plenty for generating datasets) and, like Philox, its n-th value is a pure function
 * of `(seed, n)`, so {@link hashUint32} can draw "the value for user u" without walking
 * a sequence, which keeps results independent of iteration order.
 */

const GOLDEN_GAMMA = 0x9e3779b9;

/** murmur3's 32-bit finaliser: a bijection on uint32 with full avalanche. */
function fmix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * Folds a seed of up to 53 bits into 32: both halves contribute, so seeds 1 and
 * 2^32 + 1 give different streams.
 */
export function seedToUint32(seed: number, what = 'seed'): number {
  if (!Number.isSafeInteger(seed)) {
    throw new Error(`${what} must be a safe integer, got ${String(seed)}`);
  }
  const lo = seed >>> 0;
  const hi = Math.floor(seed / 0x1_0000_0000) >>> 0;
  return fmix32(lo ^ fmix32(hi + GOLDEN_GAMMA));
}

/**
 * A uint32 that is a pure function of `(seed32, a, b)`: counter-based randomness,
 * so the value for "user `a`, draw `b`" does not depend on what was drawn before.
 */
export function hashUint32(seed32: number, a: number, b = 0): number {
  return fmix32(fmix32(seed32 ^ fmix32(a + GOLDEN_GAMMA)) + Math.imul(b + 1, GOLDEN_GAMMA));
}

/** Uniform integer in `[0, n)` from a uint32; bias is at most n / 2^32. */
export function uint32ToIndex(u: number, n: number): number {
  return Math.floor((u / 0x1_0000_0000) * n);
}

/** Sequential splitmix32 stream. */
export class SplitMix32 {
  private state: number;

  constructor(seed32: number) {
    this.state = seed32 >>> 0;
  }

  nextUint32(): number {
    this.state = (this.state + GOLDEN_GAMMA) >>> 0;
    return fmix32(this.state);
  }

  /** Uniform in `[0, 1)` with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }

  /** Uniform integer in `[0, n)`. */
  nextIndex(n: number): number {
    return uint32ToIndex(this.nextUint32(), n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle(values: Int32Array): Int32Array {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.nextIndex(i + 1);
      const t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
    return values;
  }
}
