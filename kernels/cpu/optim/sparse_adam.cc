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
// Numerics: f64 merge rounded to f32 (merge_rows.h), f32 element math
// (adam_run in optim_rows.h, shared with adam_update)
// (vectorised; the reference works in f64 and rounds on store — a few f32 ulps
// apart, inside the parity tolerance 1e-7 + 1e-6·|ref|); the correction
// factors are computed once per call in f64 and folded into lr/(1 − β₁ᵗ) and
// 1/(1 − β₂ᵗ).
// Threading: distinct rows claimed in chunks by the awake pool threads; disjoint, no atomics.
// Variants: coupled L2 or decoupled (AdamW) weight decay.
#include "../addon.h"
#include "merge_rows.h"
#include "optim_rows.h"

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

  static thread_local MergedRows merged;
  merge_duplicate_rows(env, K, indices, rows, merged);
  const AdamFactors f = adam_factors(lr, beta1, beta2, eps, wd, decoupled, step);
  for_each_merged_row<float>(merged, values, width, {param.data, m.data, v.data}, [&](int64_t row, const float* g) {
    adam_run(param.data + row * width, m.data + row * width, v.data + row * width, g, width, f);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(sparse_adam);
