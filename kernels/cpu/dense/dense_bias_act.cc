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
//
// `dense_bias_act_grad`: its backward. From dy [m·n], x [m·k], W [k·n] and the
// forward's y [m·n]: g = dy ⊙ act′(y) (1, [y > 0], y·(1 − y), read off y) into
// a scratch [m·n], then dx [m·k] = g·Wᵀ through matmul_f32 (its narrow path for
// tower widths), dW [k·n] = xᵀ·g (narrow widths: fixed spans of rows summed apart,
// so two threads share the reduction; else matmul_f32), and db [n] = Σ_rows g. g is
// formed in f32 exactly as the reference does (so relu masks agree bit for bit); db
// sums fixed blocks of GRAD_ROWS rows in f64 (block_sums.h), so no result depends
// on the thread count.
#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "../addon.h"
#include "../common/block_sums.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "matmul.h"
#include "narrow_gemm.h"

namespace rec {
namespace {

// Rows per block of the narrow paths' parallel loops (a fixed grid: results do not depend on it).
constexpr int64_t ROW_BLOCK = 96;

}  // namespace

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
  if (narrow_gemm_supported(n)) {
    // Narrow layers (NCF's towers): bias, product and relu in registers, one pass over y.
    parallel_for((m + ROW_BLOCK - 1) / ROW_BLOCK, 2, [&](int64_t begin, int64_t end, int) {
      for (int64_t blk = begin; blk < end; ++blk) {
        const int64_t i0 = blk * ROW_BLOCK, rows = std::min(ROW_BLOCK, m - i0);
        narrow_gemm(rows, n, k, x.data + i0 * k, k, 1, w.data, n, y.data + i0 * n, n, b.data, NarrowInit::kBias, act == 1);
        if (act == 2) for (int64_t e = i0 * n; e < (i0 + rows) * n; ++e) y[size_t(e)] = 1.0f / (1.0f + std::exp(-y[size_t(e)]));
      }
    });
    return env.Undefined();
  }
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

namespace {

// Rows per block of db's partial sums (a fixed grid, whatever the thread count).
constexpr int64_t GRAD_ROWS = 256;
// dW's narrow path: rows per partial sum (a fixed grid) and per chunk of one product.
constexpr int64_t SPAN_ROWS = 1024;
constexpr int64_t CHUNK_ROWS = 128;

}  // namespace

Napi::Value dense_bias_act_grad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "dense_bias_act_grad";
  const Napi::Env env = info.Env();
  const int64_t m = int_arg(info, 7, K, "m", 0, int64_t(1) << 40);
  const int64_t k = int_arg(info, 8, K, "k", 0, int64_t(1) << 40);
  const int64_t n = int_arg(info, 9, K, "n", 0, int64_t(1) << 40);
  const int64_t act = int_arg(info, 10, K, "activation", 0, 2);
  const Span<float> dy = array_arg<float>(info, 0, K, "dy", m * n);
  const Span<float> x = array_arg<float>(info, 1, K, "x", m * k);
  const Span<float> w = array_arg<float>(info, 2, K, "W", k * n);
  const Span<float> y = array_arg<float>(info, 3, K, "y", m * n);
  const Span<float> dx = array_arg<float>(info, 4, K, "dx", m * k);
  const Span<float> dw = array_arg<float>(info, 5, K, "dW", k * n);
  const Span<float> db = array_arg<float>(info, 6, K, "db", n);
  if (m == 0 || n == 0) {
    std::fill(dx.data, dx.data + m * k, 0.0f);
    std::fill(dw.data, dw.data + k * n, 0.0f);
    std::fill(db.data, db.data + n, 0.0f);
    return env.Undefined();
  }
  // g is written in full before it is read: no zero fill.
  const std::unique_ptr<float[]> g(new float[size_t(m * n)]);
  fixed_block_sums(m, GRAD_ROWS, n, [&](int64_t r0, int64_t r1, double* sum) {
    for (int64_t i = r0; i < r1; ++i) {
      const float* dyr = dy.data + i * n;
      const float* yr = y.data + i * n;
      float* gr = g.get() + i * n;
      if (act == 1) {
        for (int64_t j = 0; j < n; ++j) gr[j] = yr[j] > 0.0f ? dyr[j] : 0.0f;
      } else if (act == 2) {
        for (int64_t j = 0; j < n; ++j) gr[j] = dyr[j] * (yr[j] * (1.0f - yr[j]));
      } else {
        std::copy(dyr, dyr + n, gr);
      }
      for (int64_t j = 0; j < n; ++j) sum[j] += double(gr[j]);
    }
  }, [&](int64_t j, double total) { db[size_t(j)] = float(total); });
  if (k == 0) return env.Undefined();
  matmul_f32(g.get(), w.data, dx.data, m, k, n, false, true);
  if (narrow_gemm_supported(n)) {
    // dW = xᵀ·g: row p of dW is column p of x against g. Each fixed span of SPAN_ROWS rows
    // sums into its own k × n partial, in chunks of CHUNK_ROWS rows (g's chunk stays in L1);
    // the partials are added in span order, so the thread count does not change dW.
    const int64_t spans = (m + SPAN_ROWS - 1) / SPAN_ROWS;
    std::vector<float> partials(spans > 1 ? size_t(spans * k * n) : 0);
    parallel_for(spans, 2, [&](int64_t begin, int64_t end, int) {
      for (int64_t sp = begin; sp < end; ++sp) {
        float* out = spans > 1 ? partials.data() + sp * k * n : dw.data;
        const int64_t last = std::min(m, (sp + 1) * SPAN_ROWS);
        for (int64_t i0 = sp * SPAN_ROWS; i0 < last; i0 += CHUNK_ROWS) {
          const int64_t rows = std::min(CHUNK_ROWS, last - i0);
          narrow_gemm(k, n, rows, x.data + i0 * k, 1, k, g.get() + i0 * n, n, out, n, nullptr,
                      i0 == sp * SPAN_ROWS ? NarrowInit::kZero : NarrowInit::kAccumulate, false);
        }
      }
    });
    if (spans > 1) {
      std::copy(partials.begin(), partials.begin() + k * n, dw.data);
      for (int64_t sp = 1; sp < spans; ++sp) {
        const float* part = partials.data() + sp * k * n;
        for (int64_t e = 0; e < k * n; ++e) dw[size_t(e)] += part[e];
      }
    }
  } else {
    matmul_f32(x.data, g.get(), dw.data, k, n, m, true, false);
  }
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(dense_bias_act);
REC_EXPORT(dense_bias_act_grad);
