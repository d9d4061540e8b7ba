// `softmax` and `log_softmax` along one axis:
//
//   softmax(x)_i     = exp(x_i − m) / Σ_j exp(x_j − m),      m = max_j x_j
//   log_softmax(x)_i = x_i − m − log Σ_j exp(x_j − m)
//
// Subtracting the max keeps every exponent ≤ 0, so nothing overflows.
// Reference and full contract: packages/core/src/kernels/softmax/softmax.ts
// (the gradients are ops over these outputs, packages/core/src/ops/softmax.ts;
// there is no backward kernel).
//
// Layouts: x, y f32 viewed as [outer, len, inner], the axis in the middle
// (inner = 1 for the last axis, the classifier case: rows of a few thousand
// classes). Strided axes (inner > 1) work on blocks of up to 64 neighbouring
// columns at once so every pass is a vector loop over contiguous floats.
// Numerics: x − m kept exact as a pair of floats and exp in f32
// (common/fast_exp.h: ≤ 2 ulp, 0 below e⁻⁸⁷·³), the sum in f64, log Σ in f64;
// softmax = e_i · (1/Σ) in f32, log_softmax = (x_i − m) − log Σ in f64 rounded
// once (the reference's order). Agreement with the f64 reference: rtol 10⁻⁶
// (2.2·10⁻⁷ measured), atol 10⁻³⁸ (probabilities the reference keeps as f32
// subnormals are 0 here). A row with a NaN or an infinite max takes the
// reference's own f64 path, so NaN and ±∞ come out exactly as the reference
// gives them.
// Threading: rows (or column blocks) split statically over the pool; each
// output depends on its own row only, so any thread count gives the same values.
#include <algorithm>
#include <cmath>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/fast_exp.h"
#include "../common/js_numbers.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

/** The reference's loop over one row (stride `inner`), in f64: for rows with NaN or an infinite max. */
void reference_row(const float* x, float* y, int64_t len, int64_t inner, bool log) {
  double max = -INFINITY;
  for (int64_t i = 0; i < len; ++i) max = js_max(max, double(x[i * inner]));
  double sum = 0;
  for (int64_t i = 0; i < len; ++i) sum += std::exp(double(x[i * inner]) - max);
  const double log_sum = std::log(sum);
  for (int64_t i = 0; i < len; ++i) {
    const double z = double(x[i * inner]) - max;
    y[i * inner] = float(log ? z - log_sum : std::exp(z) / sum);
  }
}

void contiguous_row(const float* x, float* y, int64_t len, bool log) {
  // The max (ignoring NaN) and a NaN flag in 8 lanes, so the loop vectorises.
  float lane_max[8], lane_nan[8];
  for (int l = 0; l < 8; ++l) {
    lane_max[l] = -INFINITY;
    lane_nan[l] = 0;
  }
  int64_t k = 0;
  for (; k + 8 <= len; k += 8) {
    for (int l = 0; l < 8; ++l) {
      const float v = x[k + l];
      lane_max[l] = v > lane_max[l] ? v : lane_max[l];
      lane_nan[l] = v != v ? 1.0f : lane_nan[l];
    }
  }
  float max = -INFINITY;
  bool nan = false;
  for (int l = 0; l < 8; ++l) {
    max = lane_max[l] > max ? lane_max[l] : max;
    nan |= lane_nan[l] != 0;
  }
  for (; k < len; ++k) {
    max = x[k] > max ? x[k] : max;
    nan |= x[k] != x[k];
  }
  if (nan || !std::isfinite(max)) return reference_row(x, y, len, 1, log);
  // y holds e_i until the last pass; the sum runs in 8 f64 lanes.
  for (int64_t i = 0; i < len; ++i) y[i] = exp_difference(x[i], max);
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= len; i += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += double(y[i + l]);
  }
  double sum = 0;
  for (; i < len; ++i) sum += double(y[i]);
  for (int l = 0; l < 8; ++l) sum += lanes[l];
  if (log) {
    const double m = double(max), log_sum = std::log(sum);
    for (int64_t j = 0; j < len; ++j) y[j] = float((double(x[j]) - m) - log_sum);
  } else {
    const float inv = float(1.0 / sum);
    for (int64_t j = 0; j < len; ++j) y[j] *= inv;
  }
}

constexpr int64_t kBlock = 64;

/** Columns [c0, c0 + w) of one outer slice: x[i·inner + c], w ≤ kBlock. */
void strided_block(const float* x, float* y, int64_t len, int64_t inner, int64_t w, bool log) {
  float max[kBlock];
  float bad[kBlock];  // 1 where the column has a NaN or an infinite max (floats, so the loops vectorise)
  double sum[kBlock];
  for (int64_t c = 0; c < w; ++c) {
    max[c] = -INFINITY;
    bad[c] = 0;
    sum[c] = 0;
  }
  for (int64_t i = 0; i < len; ++i) {
    const float* row = x + i * inner;
    for (int64_t c = 0; c < w; ++c) {
      max[c] = row[c] > max[c] ? row[c] : max[c];
      bad[c] = row[c] != row[c] ? 1.0f : bad[c];
    }
  }
  bool any_bad = false;
  for (int64_t c = 0; c < w; ++c) {
    if (!std::isfinite(max[c])) bad[c] = 1;
    any_bad |= bad[c] != 0;
  }
  for (int64_t i = 0; i < len; ++i) {
    const float* row = x + i * inner;
    float* out = y + i * inner;
    for (int64_t c = 0; c < w; ++c) {
      out[c] = exp_difference(row[c], max[c]);
      sum[c] += double(out[c]);
    }
  }
  float scale[kBlock];
  double log_sum[kBlock];
  for (int64_t c = 0; c < w; ++c) {
    scale[c] = float(1.0 / sum[c]);
    log_sum[c] = std::log(sum[c]);
  }
  for (int64_t i = 0; i < len; ++i) {
    const float* row = x + i * inner;
    float* out = y + i * inner;
    if (log) {
      for (int64_t c = 0; c < w; ++c) out[c] = float((double(row[c]) - double(max[c])) - log_sum[c]);
    } else {
      for (int64_t c = 0; c < w; ++c) out[c] *= scale[c];
    }
  }
  if (any_bad) {
    for (int64_t c = 0; c < w; ++c) {
      if (bad[c] != 0) reference_row(x + c, y + c, len, inner, log);
    }
  }
}

Napi::Value softmax_along(const Napi::CallbackInfo& info, const char* K, bool log) {
  const Napi::Env env = info.Env();
  const int64_t outer = int_arg(info, 2, K, "outer", 0, int64_t(1) << 40);
  const int64_t len = int_arg(info, 3, K, "len", 0, int64_t(1) << 40);
  const int64_t inner = int_arg(info, 4, K, "inner", 0, int64_t(1) << 40);
  const Span<float> x = array_arg<float>(info, 0, K, "x", outer * len * inner);
  const Span<float> y = array_arg<float>(info, 1, K, "y", outer * len * inner);
  if (outer * len * inner == 0) return env.Undefined();
  // About 16k elements per thread before waking the pool pays.
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(2, 16384 / len), [&](int64_t begin, int64_t end, int) {
      for (int64_t o = begin; o < end; ++o) contiguous_row(x.data + o * len, y.data + o * len, len, log);
    });
    return env.Undefined();
  }
  const int64_t blocks = (inner + kBlock - 1) / kBlock;
  parallel_for(outer * blocks, std::max<int64_t>(2, 16384 / (len * std::min(inner, kBlock))), [&](int64_t begin, int64_t end, int) {
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / blocks, c0 = (t % blocks) * kBlock;
      const int64_t base = o * len * inner + c0;
      strided_block(x.data + base, y.data + base, len, inner, std::min(kBlock, inner - c0), log);
    }
  });
  return env.Undefined();
}

}  // namespace

Napi::Value softmax(const Napi::CallbackInfo& info) { return softmax_along(info, "softmax", false); }

Napi::Value log_softmax(const Napi::CallbackInfo& info) { return softmax_along(info, "log_softmax", true); }

}  // namespace rec

REC_EXPORT(softmax);
REC_EXPORT(log_softmax);
