// `adagrad_update`: one dense Adagrad step, in place (Duchi, Hazan & Singer
// 2011, JMLR 12, §1.1, diagonal form). Reference and full contract:
// packages/core/src/kernels/optim/adagrad_update.ts.
//
//   g ← g + λ·p
//   G ← G + g²
//   p ← p − lr·g / (√G + ε)                  (ε outside the root, as PyTorch)
//
// Layouts: param, grad, sum (G) f32 [n], contiguous; param and sum are overwritten.
// Numerics: f32 element math (adagrad_run in optim_rows.h, shared with
// sparse_adagrad; 8-wide AVX2 with -march=native); the reference works in f64
// and rounds on store, so each element differs by a few f32 ulps, inside the
// parity tolerance 1e-7 + 1e-6·|ref|.
// Threading: elements split in static slices over the pool (disjoint writes,
// no atomics). Memory-bound: 5 f32 streams per element (p, G read and
// written, g read).
// Variants: weight decay 0 or > 0.
#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "optim_rows.h"

namespace rec {

Napi::Value adagrad_update(const Napi::CallbackInfo& info) {
  constexpr const char* K = "adagrad_update";
  const Napi::Env env = info.Env();
  const Span<float> param = array_arg<float>(info, 0, K, "param");
  const Span<float> grad = array_arg<float>(info, 1, K, "grad", int64_t(param.size));
  const Span<float> sum = array_arg<float>(info, 2, K, "sum", int64_t(param.size));
  const float lr = float(number_arg(info, 3, K, "lr"));
  const float eps = float(number_arg(info, 4, K, "eps"));
  const float wd = float(number_arg(info, 5, K, "weightDecay"));
  parallel_for(int64_t(param.size), kDenseMinParallel, [&](int64_t begin, int64_t end, int) {
    adagrad_run(param.data + begin, sum.data + begin, grad.data + begin, end - begin, lr, eps, wd);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(adagrad_update);
