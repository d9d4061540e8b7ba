// The element updates of the optimizers, shared by the dense kernels
// (sgd_update, adagrad_update, adam_update: the whole tensor, split over the
// pool) and the row-sparse ones (sparse_sgd, sparse_adagrad, sparse_adam: one
// merged row at a time, merge_rows.h) — the C++ twin of core's sgdElements /
// adagradElements / adamElements, which serve both there.
//
//   SGD:      g ← g + λ·p;  v ← μ·v + g;  p ← p − lr·(nesterov ? g + μ·v : v)   (v only when μ > 0)
//   Adagrad:  g ← g + λ·p;  G ← G + g²;  p ← p − lr·g / (√G + ε)
//   Adam:     g ← g + l2·p;  m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;
//             p ← decay·p − (lr / c₁)·m / (√(v / c₂) + ε)        (c = 1 − βᵗ, l2/decay as AdamW or L2)
//
// Layouts: contiguous f32 runs of `count` elements (a row, or a slice of a
// dense tensor); the gradient run is f32, or f64 for a merged sparse row.
// Numerics: SGD in f64, rounded to f32 on store, as the reference (f32 does
// not fit the tolerance: v ← μ·v + g cancels when μ·v ≈ −g); Adagrad and Adam
// in f32 (8-wide AVX2 with -march=native), a few f32 ulps from the reference's
// f64 — inside the parity tolerance 1e-7 + 1e-6·|ref|; f64 there cost twice the
// vector width and the f64 divide/sqrt and made them compute-bound. The Adam
// correction factors are computed once per call in f64 (adam_factors).
// Each update is a function of its own: __restrict parameters and by-value
// factors let GCC vectorise it without runtime alias checks (in a lambda, loads
// through captured references kept it scalar).
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

namespace rec {

/** One SGD run; WithVelocity and Nesterov are compile-time, so each variant's loop vectorises. */
template <bool WithVelocity, bool Nesterov, typename G>
void sgd_run(float* __restrict p, float* __restrict v, const G* __restrict g, int64_t count, const double lr, const double mu, const double wd) {
  for (int64_t c = 0; c < count; ++c) {
    const double grad = double(g[c]) + wd * double(p[c]);
    double d = grad;
    if constexpr (WithVelocity) {
      const double vel = mu * double(v[c]) + grad;
      v[c] = float(vel);
      d = Nesterov ? grad + mu * vel : vel;
    }
    p[c] = float(double(p[c]) - lr * d);
  }
}

/** Calls f(std::integral_constant<bool, velocity>, std::integral_constant<bool, nesterov>) for the SGD variant. */
template <typename F>
void dispatch_sgd_variant(bool with_velocity, bool nesterov, F&& f) {
  if (!with_velocity) f(std::false_type{}, std::false_type{});
  else if (nesterov) f(std::true_type{}, std::true_type{});
  else f(std::true_type{}, std::false_type{});
}

/** One Adagrad run, in f32. */
inline void adagrad_run(float* __restrict p, float* __restrict G, const float* __restrict g, int64_t count, const float lr, const float eps, const float wd) {
  for (int64_t c = 0; c < count; ++c) {
    const float grad = g[c] + wd * p[c];
    const float acc = G[c] + grad * grad;
    G[c] = acc;
    p[c] = p[c] - (lr * grad) / (std::sqrt(acc) + eps);
  }
}

/** Adam's per-call factors, rounded once to f32. */
struct AdamFactors {
  float b1, b1c, b2, b2c, step_scale, v_scale, decay, l2, eps;
};

/** The factors of step t ≥ 1: c₁ = 1 − β₁ᵗ, c₂ = 1 − β₂ᵗ in f64, folded into lr/c₁ and 1/c₂. */
inline AdamFactors adam_factors(double lr, double beta1, double beta2, double eps, double wd, bool decoupled, int64_t step) {
  const double correction1 = 1 - std::pow(beta1, double(step));
  const double correction2 = 1 - std::pow(beta2, double(step));
  const double decay = decoupled ? 1 - lr * wd : 1;
  const double l2 = decoupled ? 0 : wd;
  return AdamFactors{float(beta1), float(1 - beta1), float(beta2), float(1 - beta2), float(lr / correction1), float(1 / correction2),
                     float(decay), float(l2), float(eps)};
}

/** One Adam run, in f32. */
inline void adam_run(float* __restrict p, float* __restrict mr, float* __restrict vr, const float* __restrict g, int64_t count, const AdamFactors f) {
  for (int64_t c = 0; c < count; ++c) {
    const float grad = g[c] + f.l2 * p[c];
    const float mi = f.b1 * mr[c] + f.b1c * grad;
    const float vi = f.b2 * vr[c] + f.b2c * (grad * grad);
    mr[c] = mi;
    vr[c] = vi;
    p[c] = f.decay * p[c] - (f.step_scale * mi) / (std::sqrt(vi * f.v_scale) + f.eps);
  }
}

/** Elements per slice of a dense update claimed by one thread: below 2¹⁵ elements (~0.5 MB of traffic) the update runs inline. */
constexpr int64_t kDenseMinParallel = int64_t(1) << 15;

}  // namespace rec
