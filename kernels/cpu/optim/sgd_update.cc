// `sgd_update`: one dense SGD step, in place, with L2 weight decay and
// heavy-ball or Nesterov momentum (PyTorch convention). Reference and full
// contract: packages/core/src/kernels/optim/sgd_update.ts.
//
//   g ← g + λ·p
//   v ← μ·v + g                               (μ > 0 only)
//   p ← p − lr·(nesterov ? g + μ·v : v)       (d = g when μ = 0)
//
// Layouts: param, grad, velocity f32 [n], contiguous; velocity is an empty
// Float32Array when μ = 0. param and velocity are overwritten.
// Numerics: f64 per element, rounded to f32 on store, as the reference
// (sgd_run in optim_rows.h, shared with sparse_sgd), so parity is within a
// few f32 ulps.
// Threading: elements split in static slices over the pool (disjoint writes,
// no atomics; the result does not depend on the thread count). Memory-bound:
// 3 (or 5 with momentum) f32 streams per element.
// Variants: momentum 0 / heavy ball / Nesterov (compile-time in the loop);
// weight decay 0 or > 0.
#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "optim_rows.h"

namespace rec {

Napi::Value sgd_update(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sgd_update";
  const Napi::Env env = info.Env();
  const Span<float> param = array_arg<float>(info, 0, K, "param");
  const Span<float> grad = array_arg<float>(info, 1, K, "grad", int64_t(param.size));
  const Span<float> velocity = array_arg<float>(info, 2, K, "velocity");
  const double lr = number_arg(info, 3, K, "lr");
  const double mu = number_arg(info, 4, K, "momentum");
  const bool nesterov = number_arg(info, 5, K, "nesterov") != 0;
  const double wd = number_arg(info, 6, K, "weightDecay");
  const bool has_velocity = mu > 0;
  if (has_velocity && velocity.size != param.size) fail(env, "sgd_update: momentum > 0 needs a velocity of the parameter's size");

  dispatch_sgd_variant(has_velocity, nesterov, [&](auto with_velocity, auto use_nesterov) {
    parallel_for(int64_t(param.size), kDenseMinParallel, [&](int64_t begin, int64_t end, int) {
      sgd_run<decltype(with_velocity)::value, decltype(use_nesterov)::value>(
          param.data + begin, with_velocity ? velocity.data + begin : nullptr, grad.data + begin, end - begin, lr, mu, wd);
    });
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(sgd_update);
