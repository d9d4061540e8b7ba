// exp(x) for x ≤ 0 in f32, written so GCC vectorises a loop of it (no calls,
// only selects, which GCC if-converts in files built with -fno-trapping-math —
// see CMakeLists.txt): Cephes' expf — x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two
// so n·ln2 is exact), a degree-6 polynomial for eʳ, and 2ⁿ put into the
// exponent bits. Error ≤ 2 ulp over [−87.3, 0]; below −87.3 (where eˣ is a
// subnormal < 1.2·10⁻³⁸) it returns 0. Used by softmax / log_softmax, whose
// arguments x − max(x) are never positive.
//
// `exp_difference(x, m)` is e^(x − m) for f32 x ≤ m with the difference kept
// exact: x − m rounded to f32 is off by up to half an ulp of |x − m| (2·10⁻⁶
// at 40, and eᶻ's relative error is that absolute error), so the rounding
// error, recovered exactly by Knuth's TwoSum, joins the reduced argument.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace rec {

// Internal linkage (static): each file compiles its own copy under its own FMA-contraction
// setting. softmax and unary contract (faster, within their tolerance); bpr_step and
// skipgram_step include it after common/exact_f32.h's pragma, and their js references
// reproduce it bit for bit, which a shared (merged) inline copy compiled elsewhere with FMAs
// would break wherever the compiler did not inline it.

/** e^(x + lo) for x ≤ 0 and |lo| ≤ half an ulp of x (the low part of an exact difference). */
static inline float exp_nonpositive(float x, float lo = 0.0f) {
  // Below the clamp (−∞ included, whose TwoSum low part is NaN) the result is 0: drop lo too.
  const bool underflow = x < -87.33654f;
  const float xc = underflow ? -87.33654f : x;
  lo = underflow ? 0.0f : lo;
  // n = round(x·log₂e) by the 1.5·2²³ trick (no call to floor, so the loop vectorises).
  const float n = (xc * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f + lo;
  const float r2 = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  const float er = p * r2 + r + 1.0f;
  const int32_t bits = (int32_t(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  const float keep = underflow ? 0.0f : 1.0f;
  return er * scale * keep;
}

/** e^(x − m) for x ≤ m, with x − m computed exactly as a pair of floats (TwoSum). */
static inline float exp_difference(float x, float m) {
  const float s = x - m;
  const float bv = s - x;
  const float lo = (x - (s - bv)) + (-m - bv);
  return exp_nonpositive(s, lo);
}

}  // namespace rec
