// JavaScript number semantics the js reference kernels get from V8 for free,
// spelled out so the C++ kernels give the same values bit for bit:
//
// - storing an f64 into a typed array element (`store_as<T>`): Float32Array
//   rounds to nearest-even (a plain cast); Int32Array / Uint32Array apply
//   ECMAScript ToInt32 / ToUint32 — NaN and ±∞ become 0, everything else is
//   truncated toward zero and wrapped modulo 2³² (not saturated, not UB);
// - Math.max / Math.min: NaN if either operand is NaN, and +0 > −0;
// - Math.pow: NaN for a NaN exponent and for (±1)^(±∞), where C's pow gives 1.
//
// The elementwise kernels, reduce and scatter_add_rows compute in f64 where
// the reference does, then store with these.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace rec {

/** ECMAScript ToUint32 (wraps modulo 2³²; NaN and ±∞ give 0). */
inline uint32_t js_to_uint32(double d) {
  if (!std::isfinite(d)) return 0;
  const double t = std::trunc(d);
  // |t| < 2⁶³ converts exactly to int64, whose low 32 bits are the result.
  if (std::fabs(t) < 9223372036854775808.0) return uint32_t(uint64_t(int64_t(t)));
  double m = std::fmod(t, 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return uint32_t(m);
}

/** ECMAScript ToInt32. */
inline int32_t js_to_int32(double d) { return int32_t(js_to_uint32(d)); }

/** Stores an f64 the way a JS typed array of element type T does. */
template <typename T>
inline T store_as(double d);
template <>
inline float store_as<float>(double d) { return float(d); }
template <>
inline int32_t store_as<int32_t>(double d) { return js_to_int32(d); }
template <>
inline uint32_t store_as<uint32_t>(double d) { return js_to_uint32(d); }

/** Math.max: NaN wins, +0 beats −0. */
template <typename F>
inline F js_max(F a, F b) {
  if (a != a || b != b) return std::numeric_limits<F>::quiet_NaN();
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}

/** Math.min: NaN wins, −0 beats +0. */
template <typename F>
inline F js_min(F a, F b) {
  if (a != a || b != b) return std::numeric_limits<F>::quiet_NaN();
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}

/** Math.pow (C's pow differs for a NaN exponent and for (±1)^(±∞)). */
inline double js_pow(double a, double b) {
  if (b != b) return std::numeric_limits<double>::quiet_NaN();
  if (std::isinf(b) && std::fabs(a) == 1.0) return std::numeric_limits<double>::quiet_NaN();
  return std::pow(a, b);
}

}  // namespace rec
