// f32 arithmetic that a js reference reproduces bit for bit with Math.fround,
// for kernels that must equal their reference and still run as vectors
// (bpr_step). The js twin is core's kernels/sgd/exact_f32.ts.
//
// dot_diff8 — dot products in a fixed eight-lane order:
//   lane k (0 ≤ k < 8) sums the terms of the columns c ≡ k (mod 8) from 0, in
//   column order, each term and each sum rounded to f32;
//   the result is ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).
//   That is one 8-float vector accumulator and a halving fold, so the loop runs
//   as 8-wide multiplies and adds on any ISA (GCC vector extensions: one AVX
//   register on x86, two NEON ones on ARM). The eight lanes are part of the
//   contract, not the host's vector width: results do not depend on the ISA.
//
// logistic_parts — σ(−x) and softplus(−x) from one z = e^−|x| (fast_exp.h's
//   exp_nonpositive: Cephes' expf, a fixed sequence of f32 operations, no
//   branches on x's range) and log1p_unit (a polynomial). Math.exp's algorithm
//   (js_exp.h) and the C library's log1p cost more than half of a BPR
//   triple on this machine, much of it mispredicted range tests.
//
// Numerics: every product and sum is a separate f32 operation. js_exp.h's
// pragma turns FMA contraction off for the rest of any file that includes
// this header, and it comes before fast_exp.h here so that exp_nonpositive
// is compiled under it too: include this header before anything that
// includes fast_exp.h.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

#include "js_exp.h"  // the pragma first (see above)
#include "fast_exp.h"

namespace rec {

typedef float f32x8 __attribute__((vector_size(32)));

/** Eight floats from p (any alignment). */
inline f32x8 load8(const float* p) {
  f32x8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

/** The fixed fold of eight lane sums (see the header). */
inline float fold8(const float l[8]) { return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7])); }

/** Σ_c a_c·(b_c − e_c) over c < d in the eight-lane order; a, b and e are only read. */
inline float dot_diff8(const float* a, const float* b, const float* e, int64_t d) {
  f32x8 acc = {};
  int64_t c = 0;
  for (; c + 8 <= d; c += 8) acc += load8(a + c) * (load8(b + c) - load8(e + c));
  float lanes[8];
  std::memcpy(lanes, &acc, sizeof lanes);
  for (; c < d; ++c) lanes[c & 7] += a[c] * (b[c] - e[c]);
  return fold8(lanes);
}

/**
 * ln(1 + ε) for ε in [0, 1] in f32: 2·atanh(u) with u = ε / (2 + ε) ≤ 1/3, odd series to u¹³
 * (truncation < 3·10⁻⁸ absolute) — a division and a polynomial where log1p is a library call
 * (a third of a BPR triple's time).
 */
inline float log1p_unit(float eps) {
  const float u = eps / (2.0f + eps);
  const float u2 = u * u;
  float p = 1.0f / 13;
  p = p * u2 + 1.0f / 11;
  p = p * u2 + 1.0f / 9;
  p = p * u2 + 1.0f / 7;
  p = p * u2 + 1.0f / 5;
  p = p * u2 + 1.0f / 3;
  p = p * u2 + 1.0f;
  return 2.0f * u * p;
}

/** Σ_c a_c·b_c over c < d in the eight-lane order. */
inline float dot8(const float* a, const float* b, int64_t d) {
  f32x8 acc = {};
  int64_t c = 0;
  for (; c + 8 <= d; c += 8) acc += load8(a + c) * load8(b + c);
  float lanes[8];
  std::memcpy(lanes, &acc, sizeof lanes);
  for (; c < d; ++c) lanes[c & 7] += a[c] * b[c];
  return fold8(lanes);
}

/** Stores eight floats to p (any alignment). */
inline void store8(float* p, f32x8 v) { std::memcpy(p, &v, sizeof v); }

/**
 * MRLR's multi-level vector t = w + m·Σ_{l∈C} x_l (Sun et al. §3.4 Eq. 7) with C = the rows
 * row_of(lo) … row_of(hi − 1) and m = f32(β/|C|), into t: Σ per column from 0 in list order, then ·m,
 * then + w; t = w and m = 0 when C is empty. Returns m. t is scratch that aliases nothing; the
 * column loops are written with explicit 8-wide vectors (element-wise, so the same values):
 * after inlining GCC dropped the __restrict and left them scalar.
 */
template <typename RowOf>
inline float extra_vector_of(float* t, const float* w, RowOf&& row_of, int32_t lo, int32_t hi, double beta, int64_t d) {
  const int64_t d8 = d & ~int64_t(7);
  if (hi == lo) {
    std::memcpy(t, w, size_t(d) * sizeof(float));
    return 0.0f;
  }
  const float m = float(beta / double(hi - lo));
  std::memset(t, 0, size_t(d) * sizeof(float));
  for (int32_t k = lo; k < hi; ++k) {
    const float* x = row_of(k);
    int64_t c = 0;
    for (; c < d8; c += 8) store8(t + c, load8(t + c) + load8(x + c));
    for (; c < d; ++c) t[c] += x[c];
  }
  int64_t c = 0;
  for (; c < d8; c += 8) store8(t + c, load8(w + c) + m * load8(t + c));
  for (; c < d; ++c) t[c] = w[c] + m * t[c];
  return m;
}

/** extra_vector_of over the rows indices[lo … hi) of X. */
inline float extra_vector(float* t, const float* w, const float* X, const int32_t* indices, int32_t lo, int32_t hi, double beta, int64_t d) {
  return extra_vector_of(t, w, [&](int32_t k) { return X + int64_t(indices[k]) * d; }, lo, hi, beta, d);
}

/** One row's update x ← decay·from + s·p (from = x in place, or the row it is copied from), element-wise in 8-wide vectors. */
inline void decayed_add(float* x, const float* from, const float* p, float s, float decay, int64_t d) {
  const int64_t d8 = d & ~int64_t(7);
  int64_t c = 0;
  for (; c < d8; c += 8) store8(x + c, decay * load8(from + c) + s * load8(p + c));
  for (; c < d; ++c) x[c] = decay * from[c] + s * p[c];
}

/**
 * x_l ← decay·x_l + s·p for the rows indices[lo … hi) of X, in list order (s carries the sign;
 * p is scratch, not one of them). A row listed twice is updated twice, the second reading the
 * first: each row's update is stored before the next row's loads.
 */
inline void extra_updates(float* X, const int32_t* indices, int32_t lo, int32_t hi, const float* p, float s, float decay, int64_t d) {
  for (int32_t k = lo; k < hi; ++k) {
    float* x = X + int64_t(indices[k]) * d;
    decayed_add(x, x, p, s, decay, d);
  }
}

/** σ(−x) = 1/(1 + eˣ) in f32 and the loss term softplus(−x) = −ln σ(x), from z = e^−|x|. */
struct LogisticParts {
  float sigma_neg;
  double softplus_neg;
};

/**
 * z = e^−|x| (exp_nonpositive); σ(−x) = z/(1 + z) for x ≥ 0, 1/(1 + z) below, in f32;
 * softplus(−x) = max(−x, 0) + log1p_unit(z), the two f32 parts added in f64.
 */
inline LogisticParts logistic_parts(float x) {
  const float z = exp_nonpositive(-std::fabs(x));
  const float den = 1.0f + z;
  return LogisticParts{x >= 0 ? z / den : 1.0f / den, double(x < 0 ? -x : 0.0f) + double(log1p_unit(z))};
}

}  // namespace rec
