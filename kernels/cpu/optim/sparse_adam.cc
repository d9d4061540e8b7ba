// `sparse_adam`: lazy Adam / AdamW on the rows a row-sparse gradient lists, in
// place (Kingma & Ba 2015, Alg. 1; Loshchilov & Hutter 2019, Alg. 2).
// Reference and full contract: packages/core/src/kernels/optim/sparse_adam.ts.
//
//   ĝ_r = Σ_{j : idx[j] = r} values[j]        (duplicates merged first)
//   for each touched row r:
//     coupled:   g ← ĝ_r + λ·p_r      decoupled:  g ← ĝ_r;  p_r ← (1 − lr·λ)·p_r
//     m_r ← β₁·m_r + (1 − β₁)·g
//     v_r ← β₂·v_r + (1 − β₂)·g²
//     p_r ← p_r − lr·(m_r / (1 − β₁ᵗ)) / (√(v_r / (1 − β₂ᵗ)) + ε)
//
// Lazy: untouched rows keep p, m and v; bias correction uses the global step t.
// Layouts: param, m, v f32 [rows·width]; indices i32 [n]; values f32 [n·width].
// Numerics: f64 merge and element math, f32 on store (as the reference); the
// correction factors are computed once per call in f64.
// Threading: distinct rows split over the pool; disjoint, no atomics.
// Variants: coupled L2 or decoupled (AdamW) weight decay.
#include <cmath>

#include "../addon.h"
#include "merge_rows.h"

namespace rec {

Napi::Value sparse_adam(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sparse_adam";
  const Napi::Env env = info.Env();
  const Span<float> param = array_arg<float>(info, 0, K, "param");
  const int64_t width = int_arg(info, 1, K, "width", 1, 1 << 30);
  const Span<int32_t> indices = array_arg<int32_t>(info, 2, K, "indices");
  const Span<float> values = array_arg<float>(info, 3, K, "values");
  const Span<float> m = array_arg<float>(info, 4, K, "m", int64_t(param.size));
  const Span<float> v = array_arg<float>(info, 5, K, "v", int64_t(param.size));
  const double lr = number_arg(info, 6, K, "lr");
  const double beta1 = number_arg(info, 7, K, "beta1");
  const double beta2 = number_arg(info, 8, K, "beta2");
  const double eps = number_arg(info, 9, K, "eps");
  const double wd = number_arg(info, 10, K, "weightDecay");
  const bool decoupled = number_arg(info, 11, K, "decoupledWeightDecay") != 0;
  const int64_t step = int_arg(info, 12, K, "step", 1, int64_t(1) << 52);
  const int64_t rows = check_sparse_shapes(env, K, param, width, indices, values);

  const double correction1 = 1 - std::pow(beta1, double(step));
  const double correction2 = 1 - std::pow(beta2, double(step));
  const double decay = decoupled ? 1 - lr * wd : 1;
  const double l2 = decoupled ? 0 : wd;

  static thread_local MergedRows merged;
  merge_duplicate_rows(env, K, indices, rows, merged);
  for_each_merged_row(merged, values, width, {param.data, m.data, v.data}, [&](int64_t row, const double* __restrict g) {
    float* __restrict p = param.data + row * width;
    float* __restrict mr = m.data + row * width;
    float* __restrict vr = v.data + row * width;
    for (int64_t c = 0; c < width; ++c) {
      const double grad = g[c] + l2 * double(p[c]);
      const double mi = beta1 * double(mr[c]) + (1 - beta1) * grad;
      const double vi = beta2 * double(vr[c]) + (1 - beta2) * grad * grad;
      mr[c] = float(mi);
      vr[c] = float(vi);
      p[c] = float(decay * double(p[c]) - (lr * (mi / correction1)) / (std::sqrt(vi / correction2) + eps));
    }
  });
  return env.Undefined();
}

}  // namespace rec
