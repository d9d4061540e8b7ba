// `adam_update`: one dense Adam / AdamW step, in place (Kingma & Ba 2015,
// Alg. 1; Loshchilov & Hutter 2019, Alg. 2). Reference and full contract:
// packages/core/src/kernels/optim/adam_update.ts.
//
//   coupled:   g ← g + λ·p      decoupled:  p ← (1 − lr·λ)·p
//   m ← β₁·m + (1 − β₁)·g
//   v ← β₂·v + (1 − β₂)·g²
//   p ← p − lr·(m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)
//
// Layouts: param, grad, m, v f32 [n], contiguous; param, m and v are overwritten.
// Numerics: f32 element math (adam_run in optim_rows.h, shared with
// sparse_adam; vectorised); the reference works in f64 and rounds on store — a
// few f32 ulps apart, inside the parity tolerance 1e-7 + 1e-6·|ref|. The
// correction factors are computed once per call in f64 (adam_factors).
// Threading: elements split in static slices over the pool (disjoint writes,
// no atomics). Memory-bound: 7 f32 streams per element.
// Variants: coupled L2 or decoupled (AdamW) weight decay.
#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "optim_rows.h"

namespace rec {

Napi::Value adam_update(const Napi::CallbackInfo& info) {
  constexpr const char* K = "adam_update";
  const Napi::Env env = info.Env();
  const Span<float> param = array_arg<float>(info, 0, K, "param");
  const Span<float> grad = array_arg<float>(info, 1, K, "grad", int64_t(param.size));
  const Span<float> m = array_arg<float>(info, 2, K, "m", int64_t(param.size));
  const Span<float> v = array_arg<float>(info, 3, K, "v", int64_t(param.size));
  const double lr = number_arg(info, 4, K, "lr");
  const double beta1 = number_arg(info, 5, K, "beta1");
  const double beta2 = number_arg(info, 6, K, "beta2");
  const double eps = number_arg(info, 7, K, "eps");
  const double wd = number_arg(info, 8, K, "weightDecay");
  const bool decoupled = number_arg(info, 9, K, "decoupledWeightDecay") != 0;
  const int64_t step = int_arg(info, 10, K, "step", 1, int64_t(1) << 52);
  const AdamFactors f = adam_factors(lr, beta1, beta2, eps, wd, decoupled, step);
  parallel_for(int64_t(param.size), kDenseMinParallel, [&](int64_t begin, int64_t end, int) {
    adam_run(param.data + begin, m.data + begin, v.data + begin, grad.data + begin, end - begin, f);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(adam_update);
