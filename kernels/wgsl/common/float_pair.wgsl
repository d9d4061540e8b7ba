// common/float_pair.wgsl — no entry point: double-f32 ("float-float") sums, for kernels whose
// reference sums in f64 (WGSL has no f64; common/soft_f64.wgsl is exact but non-negative only
// and slow): `reduce` (sum) and `softmax` / `log_softmax` (Σ e^(x − max), and x − max exact).
//
// Equation: two_sum(a, b) = (s, e) with s = fl(a + b) and e = a + b − s exactly (Knuth's
//   TwoSum). A pair (hi, lo) stands for hi + lo with |lo| ≤ ½ ulp(hi). pair_add_f32(p, x) adds
//   one f32 and renormalises (Fast2Sum); pair_add(p, q) adds two pairs (for fixed-order trees).
//   Each addition is exact to about 2⁻⁴⁸ relative of the running sum (~48 bits, against f64's
//   53), so a sum rounded once to f32 (pair_value) is the f64 sum rounded to f32 except within
//   ~2⁻²⁴ ulp of a rounding tie: within 1 ulp always.
// The including shader defines `fn float_pair_unit() -> f32` returning 1.0 read at run time
//   (a uniform the host sets to 1). Why: drivers treat f32 arithmetic as reassociable unless told
//   otherwise and WGSL cannot tell them — Mesa (llvmpipe) folds TwoSum's error term
//   (a − (s − (s − a))) + (b − (s − a)) to 0, measured — so s and s − a are multiplied by an
//   opaque 1 (exact) to hide the algebra. Correctly rounded f32 + and − (WGSL's promise) is all
//   the rest needs; fusing the multiply into an fma changes nothing (it multiplies by 1).
// Numerics: finite operands only: callers keep ±∞ and NaN apart (as integer flags). Subnormal
//   low parts may be flushed to 0 by a driver, which changes only bits far below 1 ulp.

/// (fl(a + b), a + b − fl(a + b)).
fn two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = (a + b) * float_pair_unit();
  let bv = (s - a) * float_pair_unit();
  return vec2<f32>(s, (a - (s - bv)) + (b - bv));
}

/// two_sum for |a| ≥ |b| (or a = 0).
fn fast_two_sum(a: f32, b: f32) -> vec2<f32> {
  let s = (a + b) * float_pair_unit();
  return vec2<f32>(s, b - (s - a));
}

/// (hi, lo) + x for a finite f32 x.
fn pair_add_f32(p: vec2<f32>, x: f32) -> vec2<f32> {
  let t = two_sum(p.x, x);
  return fast_two_sum(t.x, t.y + p.y);
}

/// (a.hi, a.lo) + (b.hi, b.lo).
fn pair_add(a: vec2<f32>, b: vec2<f32>) -> vec2<f32> {
  let t = two_sum(a.x, b.x);
  return fast_two_sum(t.x, t.y + (a.y + b.y));
}

/// hi + lo rounded once to f32.
fn pair_value(p: vec2<f32>) -> f32 {
  return p.x + p.y;
}
