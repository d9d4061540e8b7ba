// `layer_norm` and `layer_norm_grad`: layer normalisation over the last axis (Ba, Kiros &
// Hinton 2016, §3), fused as PyTorch's native_layer_norm and its backward.
//
//   forward, per row x of d values:
//     μ = Σ x_i / d,   σ² = Σ (x_i − μ)² / d,   r = 1/√(σ² + ε)
//     y_i = (x_i − μ)·r·γ_i + β_i;            mean[row] = μ, rstd[row] = r (saved for the backward)
//   backward, with the saved μ, r (x̂_i = (x_i − μ)·r, g_i = dy_i·γ_i):
//     dx_i = r·(g_i − Σ g / d − x̂_i·Σ g·x̂ / d)
//     dγ_i = Σ_rows dy_i·x̂_i,   dβ_i = Σ_rows dy_i
//
// Reference and full contract: packages/core/src/kernels/norm/layer_norm.ts; the op
// (packages/core/src/ops/nn.ts `layerNorm`) runs the forward and records the backward.
//
// Layouts: f32 row-major; x, y, dy, dx [rows·d]; gamma, beta, dgamma, dbeta [d]; mean, rstd
// [rows]. ε > 0 (the TS glue checks it), so r is finite for a constant row (y = β there).
// Numerics: the reference's arithmetic in f64 — μ, σ², r, x̂ and every product — each output
// rounded once to f32; the row sums run in 8 f64 lanes (the reference sums in order), so the
// results differ from it only by f64 rounding, within 1 ulp of f32. dγ and dβ: f64 partials
// per block of ⌈8192/d⌉ rows (row_block), summed across blocks in block order.
// Threading: chunks of rows (forward) or blocks of rows (backward) claimed from a shared counter
// by the threads that are awake (thread_pool.h `parallel_chunks`: a descheduled worker on a busy
// machine never stalls the call). Each row's y, mean, rstd and dx are one thread's work, and the
// dγ/dβ blocks are fixed by (rows, d) alone and summed in block order, so every output is the
// same bits at any thread count and any split.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/block_sums.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

/** Σ v_i in 8 f64 lanes, then the lanes and the tail in order. */
template <typename Term>
inline double lane_sum(int64_t d, Term&& term) {
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= d; i += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += term(i + l);
  }
  double s = 0;
  for (int l = 0; l < 8; ++l) s += lanes[l];
  for (; i < d; ++i) s += term(i);
  return s;
}

void forward_row(const float* x, const float* gamma, const float* beta, float* y, int64_t d, double eps, float& mean, float& rstd) {
  const double mu = lane_sum(d, [&](int64_t i) { return double(x[i]); }) / double(d);
  const double var = lane_sum(d, [&](int64_t i) {
    const double c = double(x[i]) - mu;
    return c * c;
  }) / double(d);
  const double r = 1.0 / std::sqrt(var + eps);
  for (int64_t i = 0; i < d; ++i) y[i] = float((double(x[i]) - mu) * r * double(gamma[i]) + double(beta[i]));
  mean = float(mu);
  rstd = float(r);
}

/** Rows per dγ/dβ partial: about 8k elements, at least 1 row. */
int64_t row_block(int64_t d) { return std::max<int64_t>(1, 8192 / std::max<int64_t>(d, 1)); }

}  // namespace

Napi::Value layer_norm(const Napi::CallbackInfo& info) {
  constexpr const char* K = "layer_norm";
  const Napi::Env env = info.Env();
  const int64_t rows = int_arg(info, 6, K, "rows", 0, int64_t(1) << 40);
  const int64_t d = int_arg(info, 7, K, "dim", 0, int64_t(1) << 40);
  const double eps = number_arg(info, 8, K, "epsilon");
  if (!(eps > 0 && std::isfinite(eps))) fail(env, "layer_norm: epsilon must be a finite number > 0");
  const Span<float> x = array_arg<float>(info, 0, K, "x", rows * d);
  const Span<float> gamma = array_arg<float>(info, 1, K, "gamma", d);
  const Span<float> beta = array_arg<float>(info, 2, K, "beta", d);
  const Span<float> y = array_arg<float>(info, 3, K, "y", rows * d);
  const Span<float> mean = array_arg<float>(info, 4, K, "mean", rows);
  const Span<float> rstd = array_arg<float>(info, 5, K, "rstd", rows);
  if (rows == 0 || d == 0) return env.Undefined();
  // Chunks of about 4k elements claimed by whichever threads are awake (a row's outputs are its
  // own, so the split changes no bit); about 16k elements before waking the pool pays.
  parallel_chunks(rows, std::max<int64_t>(1, 4096 / d), std::max<int64_t>(2, 16384 / d), [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) forward_row(x.data + r * d, gamma.data, beta.data, y.data + r * d, d, eps, mean.data[r], rstd.data[r]);
  });
  return env.Undefined();
}

Napi::Value layer_norm_grad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "layer_norm_grad";
  const Napi::Env env = info.Env();
  const int64_t rows = int_arg(info, 8, K, "rows", 0, int64_t(1) << 40);
  const int64_t d = int_arg(info, 9, K, "dim", 0, int64_t(1) << 40);
  const Span<float> dy = array_arg<float>(info, 0, K, "dy", rows * d);
  const Span<float> x = array_arg<float>(info, 1, K, "x", rows * d);
  const Span<float> gamma = array_arg<float>(info, 2, K, "gamma", d);
  const Span<float> mean = array_arg<float>(info, 3, K, "mean", rows);
  const Span<float> rstd = array_arg<float>(info, 4, K, "rstd", rows);
  const Span<float> dx = array_arg<float>(info, 5, K, "dx", rows * d);
  const Span<float> dgamma = array_arg<float>(info, 6, K, "dgamma", d);
  const Span<float> dbeta = array_arg<float>(info, 7, K, "dbeta", d);
  if (d == 0) return env.Undefined();
  // Per block: dγ partials in [0, d), dβ partials in [d, 2d).
  fixed_block_sums(rows, row_block(d), 2 * d, [&](int64_t r0, int64_t r1, double* pg) {
    double* pb = pg + d;
    for (int64_t r = r0; r < r1; ++r) {
      const float* dyr = dy.data + r * d;
      const float* xr = x.data + r * d;
      float* dxr = dx.data + r * d;
      const double mu = double(mean.data[r]), rs = double(rstd.data[r]);
      const double a = lane_sum(d, [&](int64_t i) { return double(dyr[i]) * double(gamma.data[i]); }) / double(d);
      const double c = lane_sum(d, [&](int64_t i) { return double(dyr[i]) * double(gamma.data[i]) * ((double(xr[i]) - mu) * rs); }) / double(d);
      for (int64_t i = 0; i < d; ++i) {
        const double xh = (double(xr[i]) - mu) * rs;
        const double g = double(dyr[i]);
        dxr[i] = float(rs * ((g * double(gamma.data[i]) - a) - xh * c));
        pg[i] += g * xh;
        pb[i] += g;
      }
    }
  }, [&](int64_t j, double total) { (j < d ? dgamma.data[j] : dbeta.data[j - d]) = float(total); });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(layer_norm);
REC_EXPORT(layer_norm_grad);
