// `dense_bias_act`: y = act(x·W + b), act ∈ {none (0), relu (1), sigmoid (2)},
// a dense layer's forward pass (NCF's MLP tower, He et al. 2017, §3.3).
// Reference and full contract: packages/core/src/kernels/dense/dense_bias_act.ts.
//
// Layouts: x f32 [m·k], W f32 [k·n], b f32 [n], y f32 [m·n], row-major.
// Method: the tiled matmul of matmul.cc writes x·W into y, then each thread
// adds b and applies act to its rows while they are still in cache from the
// last k block (rows in blocks of 96, the matmul's MC). Fusing the epilogue
// into the micro-kernel would save that one extra pass over y; at the MLP
// sizes (k ≥ 64) the GEMM dominates.
// Numerics: f32 accumulation (FMA); sigmoid as 1 / (1 + e⁻ᶻ) in f32, which
// saturates to 0 / 1 without overflow. Agreement with the f64 reference: 1e-4 relative.
// Threading: the matmul and the epilogue both split rows over the pool.
#include <algorithm>
#include <cmath>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "matmul.h"

namespace rec {

Napi::Value dense_bias_act(const Napi::CallbackInfo& info) {
  constexpr const char* K = "dense_bias_act";
  const Napi::Env env = info.Env();
  const int64_t m = int_arg(info, 4, K, "m", 0, int64_t(1) << 40);
  const int64_t k = int_arg(info, 5, K, "k", 0, int64_t(1) << 40);
  const int64_t n = int_arg(info, 6, K, "n", 0, int64_t(1) << 40);
  const int64_t act = int_arg(info, 7, K, "activation", 0, 2);
  const Span<float> x = array_arg<float>(info, 0, K, "x", m * k);
  const Span<float> w = array_arg<float>(info, 1, K, "W", k * n);
  const Span<float> b = array_arg<float>(info, 2, K, "b", n);
  const Span<float> y = array_arg<float>(info, 3, K, "y", m * n);
  if (m * n == 0) return env.Undefined();
  matmul_f32(x.data, w.data, y.data, m, n, k, false, false);
  parallel_for(m, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) {
      float* row = y.data + i * n;
      if (act == 1) {
        for (int64_t j = 0; j < n; ++j) row[j] = std::max(row[j] + b[size_t(j)], 0.0f);
      } else if (act == 2) {
        for (int64_t j = 0; j < n; ++j) row[j] = 1.0f / (1.0f + std::exp(-(row[j] + b[size_t(j)])));
      } else {
        for (int64_t j = 0; j < n; ++j) row[j] += b[size_t(j)];
      }
    }
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(dense_bias_act);
