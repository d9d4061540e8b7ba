// `sparse_adagrad`: the `adagrad_update` step on the rows a row-sparse gradient
// lists, in place (Duchi, Hazan & Singer 2011, JMLR 12, §1.1, diagonal form).
// Reference and full contract: packages/core/src/kernels/optim/sparse_adagrad.ts.
//
//   ĝ_r = Σ_{j : idx[j] = r} values[j]        (duplicates merged first: (g₁+g₂)², not g₁²+g₂²)
//   for each touched row r:
//     g ← ĝ_r + λ·p_r
//     G_r ← G_r + g²
//     p_r ← p_r − lr·g / (√G_r + ε)           (ε outside the root, as PyTorch)
//
// Layouts: param, sum (G) f32 [rows·width]; indices i32 [n]; values f32 [n·width].
// Numerics: f64 merge rounded to f32 (merge_rows.h), then f32 element math
// (adagrad_run in optim_rows.h, shared with adagrad_update)
// (8-wide AVX2 with -march=native; the reference works in f64 and rounds on
// store). Each element's step differs from the reference's by a few f32 ulps,
// inside the parity tolerance 1e-7 + 1e-6·|ref|; f64 here cost twice the
// vector width and the f64 divide/sqrt, which made the kernel compute-bound.
// Threading: distinct rows claimed in chunks by the awake pool threads; disjoint, no atomics; result
// independent of the thread count. Memory-bound: per touched row it reads and
// writes one row of p and of G (the bench compares this to the random-row
// gather+scatter bound).
#include "../addon.h"
#include "merge_rows.h"
#include "optim_rows.h"

namespace rec {
Napi::Value sparse_adagrad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sparse_adagrad";
  const Napi::Env env = info.Env();
  const Span<float> param = array_arg<float>(info, 0, K, "param");
  const int64_t width = int_arg(info, 1, K, "width", 1, 1 << 30);
  const Span<int32_t> indices = array_arg<int32_t>(info, 2, K, "indices");
  const Span<float> values = array_arg<float>(info, 3, K, "values");
  const Span<float> sum = array_arg<float>(info, 4, K, "sum", int64_t(param.size));
  const double lr = number_arg(info, 5, K, "lr");
  const double eps = number_arg(info, 6, K, "eps");
  const double wd = number_arg(info, 7, K, "weightDecay");
  const int64_t rows = check_sparse_shapes(env, K, param, width, indices, values);

  static thread_local MergedRows merged;
  merge_duplicate_rows(env, K, indices, rows, merged);
  const float lr_f = float(lr), eps_f = float(eps), wd_f = float(wd);
  for_each_merged_row<float>(merged, values, width, {param.data, sum.data}, [&](int64_t row, const float* g) {
    adagrad_run(param.data + row * width, sum.data + row * width, g, width, lr_f, eps_f, wd_f);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(sparse_adagrad);
