//! requires common/float_pair.wgsl
// common/fast_exp.wgsl — no entry point: e^x in f32 to a few ulp on every WebGPU implementation,
// the WGSL twin of kernels/cpu/common/fast_exp.h (used by softmax / log_softmax).
//
// Equation: Cephes' expf — x = n·ln2 + r with n = round(x·log₂e) and |r| ≤ ln2/2 (ln2 split in
//   two so n·ln2 is exact), a degree-6 polynomial for eʳ, and 2ⁿ put into the exponent bits.
//   exp_pair(x, lo) = e^(x + lo) for a low part |lo| ≤ half an ulp of x, which joins the reduced
//   argument; exp_difference(x, m) = e^(x − m) with x − m kept exact as a pair (Knuth's
//   TwoSum), since x − m rounded to f32 is off by half an ulp of |x − m| (2·10⁻⁶ at 40, and
//   e^z's relative error is that absolute error).
// Why not the builtin: WGSL promises exp(x) only to 3 + 2·|x| ulp, and drivers compute it as
//   exp2(x·log₂e), whose error grows with |x| (10⁻⁶ relative at |x| = 16, measured).
// Numerics: ≤ 2 ulp over [−87.3, 88]; below −87.336 (−∞ included, where eˣ is a subnormal or
//   0) the result is 0, so no subnormal is ever produced. The arguments must not be NaN.
//   Additions and multiplications are correctly rounded in WGSL, which is all TwoSum needs
//   (an implementation that contracts to fma only makes r more exact); the exact difference
//   comes from common/float_pair.wgsl's two_sum, so the including shader defines
//   float_pair_unit() as that file asks.

fn exp_pair(x: f32, lo: f32) -> f32 {
  if (x < -87.33654) {
    return 0.0;
  }
  let n = round(x * 1.44269504088896341);
  var r = x - n * 0.693359375;
  r = r - n * -2.12194440e-4 + lo;
  let r2 = r * r;
  var p = 1.9875691500e-4;
  p = p * r + 1.3981999507e-3;
  p = p * r + 8.3334519073e-3;
  p = p * r + 4.1665795894e-2;
  p = p * r + 1.6666665459e-1;
  p = p * r + 5.0000001201e-1;
  let er = p * r2 + r + 1.0;
  return er * bitcast<f32>(u32(i32(n) + 127) << 23u);
}

/// e^(x − m) for finite m and x ≤ m (x = −∞ gives 0).
fn exp_difference(x: f32, m: f32) -> f32 {
  let d = two_sum(x, -m);
  if (d.x < -87.33654) {
    return 0.0;
  }
  return exp_pair(d.x, d.y);
}
