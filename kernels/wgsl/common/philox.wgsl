// common/philox.wgsl — Philox4x32-10 (Salmon et al., SC'11, as in Random123),
// bit-exact with @rec/core's `random/philox.ts` and `u32At` in `random/rng.ts`.
//
// Equation: word k of (seed, stream) is word k % 4 of
//   philox4x32_10(counter = [b lo, b hi, stream, 0], key = [seed lo, seed hi]),  b = ⌊k / 4⌋.
// Each of the 10 rounds: (hi0, lo0) = 0xD2511F53·c0, (hi1, lo1) = 0xCD9E8D57·c2 (full 64-bit
// products), c ← [hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0]; the key is bumped by the Weyl
// constants (0x9E3779B9, 0xBB67AE85) before every round but the first.
//
// Layouts and dtypes: u32 only. 64-bit quantities (the counter k, the seed) travel as
// vec2<u32>(lo, hi), since WGSL has no 64-bit integers.
// Numerics: u32 arithmetic wraps (mod 2³²) as the algorithm needs; mulhi32 assembles the
// high word from four 16×16-bit partial products exactly as the TypeScript reference does.
// Threading: pure functions, no state; any thread computes any word.
// Variants: none. Included by kernels through `//! requires common/philox.wgsl`.

// High 32 bits of the exact 64-bit product a·b.
fn mulhi32(a: u32, b: u32) -> u32 {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let low_low = a_lo * b_lo;
  let low_high = a_lo * b_hi;
  let high_low = a_hi * b_lo;
  let high_high = a_hi * b_hi;
  let middle = (low_low >> 16u) + (low_high & 0xffffu) + (high_low & 0xffffu);
  return high_high + (low_high >> 16u) + (high_low >> 16u) + (middle >> 16u);
}

// 64-bit a + b on (lo, hi) pairs, wrapping mod 2⁶⁴.
fn add_u64(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}

// The exact 64-bit product a·b of two u32, as (lo, hi).
fn mul_u32_wide(a: u32, b: u32) -> vec2<u32> {
  return vec2<u32>(a * b, mulhi32(a, b));
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var round = 0u; round < 10u; round++) {
    if (round > 0u) {
      k = k + vec2<u32>(0x9e3779b9u, 0xbb67ae85u);
    }
    let hi0 = mulhi32(0xd2511f53u, c.x);
    let lo0 = 0xd2511f53u * c.x;
    let hi1 = mulhi32(0xcd9e8d57u, c.z);
    let lo1 = 0xcd9e8d57u * c.z;
    c = vec4<u32>(hi1 ^ c.y ^ k.x, lo1, hi0 ^ c.w ^ k.y, lo0);
  }
  return c;
}

// Word k = (lo, hi) of the Philox sequence of (key, stream): `u32At(seed, stream, k)`.
fn philox_u32_at(key: vec2<u32>, stream: u32, k: vec2<u32>) -> u32 {
  let block = vec2<u32>((k.x >> 2u) | (k.y << 30u), k.y >> 2u);
  let words = philox4x32_10(vec4<u32>(block.x, block.y, stream, 0u), key);
  return words[k.x & 3u];
}
