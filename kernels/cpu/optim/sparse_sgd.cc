// `sparse_sgd`: the `sgd_update` step on the rows a row-sparse gradient lists,
// in place. Reference and full contract: packages/core/src/kernels/optim/sparse_sgd.ts.
//
//   ĝ_r = Σ_{j : idx[j] = r} values[j]        (duplicates merged first, merge_rows.h)
//   for each touched row r:
//     g ← ĝ_r + λ·p_r
//     v_r ← μ·v_r + g                          (μ > 0 only)
//     p_r ← p_r − lr·(nesterov ? g + μ·v_r : v_r)
//
// Layouts: param, velocity f32 [rows·width]; indices i32 [n]; values f32
// [n·width]; velocity is an empty Float32Array when μ = 0.
// Numerics: as the reference — merged sums and element updates in f64 (4-wide
// AVX2; sgd_run in optim_rows.h, shared with sgd_update), rounded to f32 on
// store, so parity is within a few f32 ulps. Unlike Adagrad/Adam, f32 math does
// not fit the tolerance here: v ← μ·v + g cancels when μ·v ≈ −g, and an
// f32-rounded ĝ or μ then errs by more than 1e-7 absolute.
// Threading: distinct rows split over the pool; disjoint, so no atomics, and the
// result does not depend on the thread count.
// Variants: momentum 0 / heavy ball / Nesterov; weight decay 0 or > 0.
#include "../addon.h"
#include "merge_rows.h"
#include "optim_rows.h"

namespace rec {

Napi::Value sparse_sgd(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sparse_sgd";
  const Napi::Env env = info.Env();
  const Span<float> param = array_arg<float>(info, 0, K, "param");
  const int64_t width = int_arg(info, 1, K, "width", 1, 1 << 30);
  const Span<int32_t> indices = array_arg<int32_t>(info, 2, K, "indices");
  const Span<float> values = array_arg<float>(info, 3, K, "values");
  const Span<float> velocity = array_arg<float>(info, 4, K, "velocity");
  const double lr = number_arg(info, 5, K, "lr");
  const double mu = number_arg(info, 6, K, "momentum");
  const bool nesterov = number_arg(info, 7, K, "nesterov") != 0;
  const double wd = number_arg(info, 8, K, "weightDecay");
  const int64_t rows = check_sparse_shapes(env, K, param, width, indices, values);
  const bool has_velocity = mu > 0;
  if (has_velocity && velocity.size != param.size) fail(env, "sparse_sgd: momentum > 0 needs a velocity of the parameter's size");

  static thread_local MergedRows merged;
  merge_duplicate_rows(env, K, indices, rows, merged);
  dispatch_sgd_variant(has_velocity, nesterov, [&](auto with_velocity, auto use_nesterov) {
    // The list's backing array lives until the end of this full expression.
    for_each_merged_row<double>(merged, values, width, with_velocity ? std::initializer_list<float*>{param.data, velocity.data} : std::initializer_list<float*>{param.data}, [&](int64_t row, const auto* g) {
      sgd_run<decltype(with_velocity)::value, decltype(use_nesterov)::value>(param.data + row * width, velocity.data + row * width, g, width, lr, mu, wd);
    });
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(sparse_sgd);
