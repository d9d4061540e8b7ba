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
// Numerics: as the reference — f64 merge and element math, f32 on store; the
// step uses the f64 G before rounding, like the reference.
// Threading: distinct rows split over the pool; disjoint, no atomics; result
// independent of the thread count. Memory-bound: per touched row it reads and
// writes one row of p and of G (the bench compares this to the random-row
// gather+scatter bound).
#include <cmath>

#include "../addon.h"
#include "merge_rows.h"

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
  for_each_merged_row(merged, values, width, {param.data, sum.data}, [&](int64_t row, const double* __restrict g) {
    float* __restrict p = param.data + row * width;
    float* __restrict G = sum.data + row * width;
    for (int64_t c = 0; c < width; ++c) {
      const double grad = g[c] + wd * double(p[c]);
      const double acc = double(G[c]) + grad * grad;
      G[c] = float(acc);
      p[c] = float(double(p[c]) - (lr * grad) / (std::sqrt(acc) + eps));
    }
  });
  return env.Undefined();
}

}  // namespace rec
