//! requires common/philox.wgsl
// common/soft_f64.wgsl — no entry point: IEEE-754 binary64 arithmetic on NON-NEGATIVE finite
// values in software, rounded to nearest-even at every operation exactly as an f64 FPU rounds,
// for kernels whose reference sums in f64 and must agree bit for bit (WGSL has no f64).
//
// Representation: F64 { m, e } is the value m·2^e with m a 53-bit integer, 2⁵² ≤ m < 2⁵³, held
//   as vec2<u32>(lo, hi) like philox.wgsl's 64-bit counters; m = 0 is zero (e unused). Only
//   values that are exact f64 numbers in the normal range are ever built: every f32 is one, and
//   sums, products and quotients of the kernels' operands stay far from f64 overflow and
//   underflow (the f64 exponent range dwarfs f32's), so no subnormal or infinite case is coded.
// Operations: f64_from_f32 (exact), f64_add (a + b), f64_mul_unit (x·m·2⁻²⁴ for an integer
//   m < 2²⁴, e.g. a Philox 24-bit uniform), f64_gt (a > b), f64_div_to_f32 (f32(f64(a / b)), the
//   double rounding of `Float32Array[i] = a / b` in JavaScript, subnormal f32 results included).
// Numerics: each operation keeps 3 bits below the last (guard, round, sticky) before its one
//   rounding, which is what round-to-nearest-even needs; all integer arithmetic is u32.
// Limits: negative, infinite and NaN operands are not handled — callers check their inputs.
// Cost: tens of integer operations per add or multiply; a division is a 56-step loop.

struct F64 {
  m: vec2<u32>,
  e: i32,
}

fn u64_is_zero(a: vec2<u32>) -> bool {
  return a.x == 0u && a.y == 0u;
}

fn u64_ge(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.y > b.y || (a.y == b.y && a.x >= b.x);
}

fn u64_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  return vec2<u32>(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}

fn u64_shl(a: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) {
    return a;
  }
  if (s >= 64u) {
    return vec2<u32>(0u, 0u);
  }
  if (s >= 32u) {
    return vec2<u32>(0u, a.x << (s - 32u));
  }
  return vec2<u32>(a.x << s, (a.y << s) | (a.x >> (32u - s)));
}

fn u64_shr(a: vec2<u32>, s: u32) -> vec2<u32> {
  if (s == 0u) {
    return a;
  }
  if (s >= 64u) {
    return vec2<u32>(0u, 0u);
  }
  if (s >= 32u) {
    return vec2<u32>(a.y >> (s - 32u), 0u);
  }
  return vec2<u32>((a.x >> s) | (a.y << (32u - s)), a.y >> s);
}

// True when any of the lowest s bits of a is set.
fn u64_low_bits(a: vec2<u32>, s: u32) -> bool {
  if (s == 0u) {
    return false;
  }
  if (s >= 64u) {
    return !u64_is_zero(a);
  }
  if (s >= 32u) {
    return a.x != 0u || (s > 32u && (a.y & ((1u << (s - 32u)) - 1u)) != 0u);
  }
  return (a.x & ((1u << s) - 1u)) != 0u;
}

// Index of the highest set bit of a non-zero a.
fn u64_msb(a: vec2<u32>) -> u32 {
  if (a.y != 0u) {
    return 32u + firstLeadingBit(a.y);
  }
  return firstLeadingBit(a.x);
}

// The f64 nearest (ties to even) to v·2^e + (something in (0, 2^e) when `sticky`), v ≠ 0.
fn f64_round(v_in: vec2<u32>, e_in: i32, sticky_in: bool) -> F64 {
  var v = v_in;
  var e = e_in;
  var sticky = sticky_in;
  let p = u64_msb(v);
  // Bring the leading bit to position 55: 53 bits, then guard, round and sticky.
  if (p > 55u) {
    let s = p - 55u;
    sticky = sticky || u64_low_bits(v, s);
    v = u64_shr(v, s);
    e += i32(s);
  } else if (p < 55u) {
    let s = 55u - p;
    v = u64_shl(v, s);
    e -= i32(s);
  }
  let rem = (v.x & 7u) | select(0u, 1u, sticky);
  var m = u64_shr(v, 3u);
  e += 3;
  if (rem > 4u || (rem == 4u && (m.x & 1u) == 1u)) {
    m = add_u64(m, vec2<u32>(1u, 0u));
    if (m.y == 0x200000u && m.x == 0u) {
      m = vec2<u32>(0u, 0x100000u);
      e += 1;
    }
  }
  return F64(m, e);
}

fn f64_zero() -> F64 {
  return F64(vec2<u32>(0u, 0u), 0);
}

// The f64 equal to a non-negative finite f32 (−0 gives zero).
fn f64_from_f32(x: f32) -> F64 {
  let bits = bitcast<u32>(x) & 0x7fffffffu;
  if (bits == 0u) {
    return f64_zero();
  }
  let biased = bits >> 23u;
  var m24 = bits & 0x7fffffu;
  var e = -149;
  if (biased != 0u) {
    m24 = m24 | 0x800000u;
    e = i32(biased) - 150;
  }
  let s = 52u - firstLeadingBit(m24);
  return F64(u64_shl(vec2<u32>(m24, 0u), s), e - i32(s));
}

fn f64_add(a: F64, b: F64) -> F64 {
  if (u64_is_zero(a.m)) {
    return b;
  }
  if (u64_is_zero(b.m)) {
    return a;
  }
  var x = a;
  var y = b;
  if (y.e > x.e) {
    x = b;
    y = a;
  }
  let d = u32(x.e - y.e);
  // y < 2^(y.e + 53) ≤ 2^(x.e − 1), strictly below half an ulp of x: x is the rounded sum.
  if (d >= 54u) {
    return x;
  }
  // Both scaled to 2^(x.e − 10): X < 2⁶³ and Y < 2⁶³, so the sum fits 64 bits.
  let big = u64_shl(x.m, 10u);
  var small: vec2<u32>;
  var sticky = false;
  if (d <= 10u) {
    small = u64_shl(y.m, 10u - d);
  } else {
    sticky = u64_low_bits(y.m, d - 10u);
    small = u64_shr(y.m, d - 10u);
  }
  return f64_round(add_u64(big, small), x.e - 10, sticky);
}

// x·(m·2⁻²⁴) rounded once, for an integer m < 2²⁴ — the reference's `(word >>> 8)·2⁻²⁴·x`
// (its first product is exact, so one rounding).
fn f64_mul_unit(x: F64, m: u32) -> F64 {
  if (m == 0u || u64_is_zero(x.m)) {
    return f64_zero();
  }
  // P = m·x.m < 2⁷⁷ as three words w0 + w1·2³² + w2·2⁶⁴.
  let low = mul_u32_wide(m, x.m.x);
  let high = mul_u32_wide(m, x.m.y);
  let w0 = low.x;
  let w1 = low.y + high.x;
  let w2 = high.y + select(0u, 1u, w1 < low.y);
  if (w2 == 0u) {
    return f64_round(vec2<u32>(w0, w1), x.e - 24, false);
  }
  // Shift the 96-bit product right so its leading bit sits at 63 (s in 1..13).
  let s = firstLeadingBit(w2) + 1u;
  let v = vec2<u32>((w0 >> s) | (w1 << (32u - s)), (w1 >> s) | (w2 << (32u - s)));
  return f64_round(v, x.e - 24 + i32(s), (w0 & ((1u << s) - 1u)) != 0u);
}

fn f64_gt(a: F64, b: F64) -> bool {
  if (u64_is_zero(a.m)) {
    return false;
  }
  if (u64_is_zero(b.m)) {
    return true;
  }
  if (a.e != b.e) {
    return a.e > b.e;
  }
  return u64_ge(a.m, b.m) && !(a.m.x == b.m.x && a.m.y == b.m.y);
}

// The f32 nearest (ties to even, subnormals included) to an F64.
fn f64_to_f32(x: F64) -> f32 {
  if (u64_is_zero(x.m)) {
    return 0.0;
  }
  // Keep 24 bits for a normal f32, fewer where the result is subnormal (quantum 2⁻¹⁴⁹).
  let drop = max(29, -149 - x.e);
  if (drop > 54) {
    return 0.0;
  }
  let d = u32(drop);
  var r = u64_shr(x.m, d).x;
  let guard = (u64_shr(x.m, d - 1u).x & 1u) == 1u;
  if (guard && (u64_low_bits(x.m, d - 1u) || (r & 1u) == 1u)) {
    r += 1u;
  }
  // r carries the hidden bit, so adding it bumps the exponent field by one (and a carry to
  // 2²⁴, or from the largest subnormal to the smallest normal, comes out right).
  return bitcast<f32>((u32(x.e + drop + 149) << 23u) + r);
}

// f32(a / b) through an f64 quotient rounded first, for 0 ≤ a and 0 < b.
fn f64_div_to_f32(a: F64, b: F64) -> f32 {
  if (u64_is_zero(a.m)) {
    return 0.0;
  }
  var r = a.m;
  var e = a.e - b.e;
  if (!u64_ge(r, b.m)) {
    r = u64_shl(r, 1u);
    e -= 1;
  }
  // 56 quotient bits of r / b.m ∈ [1, 2): q has its leading bit at 55.
  var q = vec2<u32>(0u, 0u);
  for (var i = 0u; i < 56u; i++) {
    q = u64_shl(q, 1u);
    if (u64_ge(r, b.m)) {
      r = u64_sub(r, b.m);
      q.x = q.x | 1u;
    }
    r = u64_shl(r, 1u);
  }
  return f64_to_f32(f64_round(q, e - 55, !u64_is_zero(r)));
}
