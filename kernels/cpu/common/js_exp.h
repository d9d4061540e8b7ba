// Math.exp bit for bit: V8 computes Math.exp with fdlibm's __ieee754_exp
// (FreeBSD e_exp.c, ported in v8/src/base/ieee754.cc), not with the C
// library, whose exp may differ by an ulp. Kernels that must equal their js
// reference bitwise (bpr_step, skipgram_step in deterministic mode) call
// js_exp. Error < 1 ulp (fdlibm's bound).
//
// Numerics: the polynomial and the reduction must not be contracted into
// FMAs (GCC contracts by default under -march=native), so this file and every
// file that includes it compile with fp-contract off: `#pragma GCC optimize`
// below (GCC applies it to the rest of the including translation unit).
// Checked once against Node 20's Math.exp on 2·10⁶ arguments (|x| up to 750,
// ±∞, NaN, ±0): no bit differed; the bitwise parity tests of bpr_step and
// skipgram_step check it through the kernels.
#pragma once

#include <cstdint>
#include <cstring>

#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace rec {

namespace js_exp_detail {
inline uint32_t high_word(double x) {
  uint64_t b;
  std::memcpy(&b, &x, 8);
  return uint32_t(b >> 32);
}
inline uint32_t low_word(double x) {
  uint64_t b;
  std::memcpy(&b, &x, 8);
  return uint32_t(b);
}
inline double from_words(uint32_t hi, uint32_t lo) {
  const uint64_t b = (uint64_t(hi) << 32) | lo;
  double x;
  std::memcpy(&x, &b, 8);
  return x;
}
}  // namespace js_exp_detail

/** Math.exp(x) exactly as V8 computes it (fdlibm __ieee754_exp). */
inline double js_exp(double x) {
  using namespace js_exp_detail;
  constexpr double one = 1.0;
  constexpr double halF[2] = {0.5, -0.5};
  constexpr double o_threshold = 7.09782712893383973096e+02;
  constexpr double u_threshold = -7.45133219101941108420e+02;
  constexpr double ln2HI[2] = {6.93147180369123816490e-01, -6.93147180369123816490e-01};
  constexpr double ln2LO[2] = {1.90821492927058770002e-10, -1.90821492927058770002e-10};
  constexpr double invln2 = 1.44269504088896338700e+00;
  constexpr double P1 = 1.66666666666666019037e-01;
  constexpr double P2 = -2.77777777770155933842e-03;
  constexpr double P3 = 6.61375632143793436117e-05;
  constexpr double P4 = -1.65339022054652515390e-06;
  constexpr double P5 = 4.13813679705723846039e-08;
  constexpr double twom1000 = 9.33263618503218878990e-302;  // 2^-1000
  constexpr double two1023 = 8.988465674311579539e307;      // 2^1023

  double y, hi = 0.0, lo = 0.0, c, t, twopk;
  int32_t k = 0;
  uint32_t hx = high_word(x);
  const int32_t xsb = int32_t((hx >> 31) & 1);
  hx &= 0x7fffffff;

  if (hx >= 0x40862E42) {  // |x| ≥ 709.78…
    if (hx >= 0x7ff00000) {
      if (((hx & 0xfffff) | low_word(x)) != 0) return x + x;  // NaN
      return xsb == 0 ? x : 0.0;                               // exp(±∞) = {∞, 0}
    }
    if (x > o_threshold) return 1.0e+300 * 1.0e+300;  // overflow
    if (x < u_threshold) return twom1000 * twom1000;  // underflow
  }

  if (hx > 0x3fd62e42) {    // |x| > 0.5·ln2
    if (hx < 0x3FF0A2B2) {  // and |x| < 1.5·ln2
      hi = x - ln2HI[xsb];
      lo = ln2LO[xsb];
      k = 1 - xsb - xsb;
    } else {
      k = int32_t(invln2 * x + halF[xsb]);
      t = k;
      hi = x - t * ln2HI[0];  // t·ln2HI is exact here
      lo = t * ln2LO[0];
    }
    x = hi - lo;
  } else if (hx < 0x3e300000) {  // |x| < 2^-28
    return one + x;
  } else {
    k = 0;
  }

  t = x * x;
  if (k >= -1021) {
    twopk = from_words(uint32_t(0x3ff00000 + (k << 20)), 0);
  } else {
    twopk = from_words(uint32_t(0x3ff00000 + ((k + 1000) << 20)), 0);
  }
  c = x - t * (P1 + t * (P2 + t * (P3 + t * (P4 + t * P5))));
  if (k == 0) return one - ((x * c) / (c - 2.0) - x);
  y = one - ((lo - (x * c) / (2.0 - c)) - hi);
  if (k >= -1021) {
    if (k == 1024) return y * 2.0 * two1023;
    return y * twopk;
  }
  return y * twopk * twom1000;
}

}  // namespace rec
