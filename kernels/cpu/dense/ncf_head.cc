// `ncf_head` and `ncf_head_grad`: the output layer of NCF's GMF and NeuMF units (He et al.
// 2017, eq. 9 and 11), logit_i = Σ_j p_ij·q_ij·h_j + Σ_k z_ik·h_{E+k}, and its gradient.
// Reference and full contract: packages/core/src/kernels/dense/ncf_head.ts.
//
// Layouts: p, q f32 [n·E]; h f32 [E + Z]; z f32 [n·Z] (empty for GMF); logits f32 [n];
// dp, dq [n·E], dh [E + Z], dz [n·Z].
// Method: one pass over the rows each way. Forward: per row, the two dot products in eight
// interleaved f32 partial sums added in a fixed order. Backward: dp, dq and dz are per-row
// scalings of q ⊙ h, p ⊙ h and h; dh sums g_i·p_i ⊙ q_i and g_i·z_i in f64 per fixed block of
// HEAD_ROWS rows, the blocks added in order.
// Numerics: f32 products, as the model's f32 step (the reference forms them in f64 and
// rounds once): within 1e-5 relative plus 1e-6 per summed term.
// Threading: rows split over the pool; dh's blocks are a fixed grid, so no result depends
// on the thread count.
#include <algorithm>

#include "../addon.h"
#include "../common/block_sums.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t HEAD_ROWS = 256;

// Σ a_j·b_j·c_j over j < len, in eight interleaved partial sums added in a fixed order.
inline float dot3(const float* __restrict a, const float* __restrict b, const float* __restrict c, int64_t len) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += (a[j + l] * b[j + l]) * c[j + l];
  }
  float sum = 0.0f;
  for (; j < len; ++j) sum += (a[j] * b[j]) * c[j];
  for (int l = 0; l < 8; ++l) sum += lanes[l];
  return sum;
}

// Σ a_j·b_j over j < len, the same way.
inline float dot2(const float* __restrict a, const float* __restrict b, int64_t len) {
  float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t j = 0;
  for (; j + 8 <= len; j += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += a[j + l] * b[j + l];
  }
  float sum = 0.0f;
  for (; j < len; ++j) sum += a[j] * b[j];
  for (int l = 0; l < 8; ++l) sum += lanes[l];
  return sum;
}

// One row of the GMF half's gradient: dp = g·q ⊙ h, dq = g·p ⊙ h, and g·p ⊙ q into dh's sums.
inline void gmf_row_grad(float g, const float* __restrict p, const float* __restrict q, const float* __restrict h, float* __restrict dp,
                         float* __restrict dq, double* __restrict sum, int64_t e) {
  for (int64_t j = 0; j < e; ++j) {
    dp[j] = (g * q[j]) * h[j];
    dq[j] = (g * p[j]) * h[j];
    sum[j] += double((g * p[j]) * q[j]);
  }
}

// One row of the tower half's gradient: dz = g·h, and g·z into dh's sums.
inline void tower_row_grad(float g, const float* __restrict z, const float* __restrict h, float* __restrict dz, double* __restrict sum, int64_t zw) {
  for (int64_t k = 0; k < zw; ++k) {
    dz[k] = g * h[k];
    sum[k] += double(g * z[k]);
  }
}

}  // namespace

Napi::Value ncf_head(const Napi::CallbackInfo& info) {
  constexpr const char* K = "ncf_head";
  const Napi::Env env = info.Env();
  const int64_t n = int_arg(info, 5, K, "n", 0, int64_t(1) << 40);
  const int64_t e = int_arg(info, 6, K, "E", 0, int64_t(1) << 30);
  const int64_t zw = int_arg(info, 7, K, "Z", 0, int64_t(1) << 30);
  const Span<float> p = array_arg<float>(info, 0, K, "p", n * e);
  const Span<float> q = array_arg<float>(info, 1, K, "q", n * e);
  const Span<float> h = array_arg<float>(info, 2, K, "h", e + zw);
  const Span<float> z = array_arg<float>(info, 3, K, "z", n * zw);
  const Span<float> out = array_arg<float>(info, 4, K, "logits", n);
  parallel_for((n + HEAD_ROWS - 1) / HEAD_ROWS, 2, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin * HEAD_ROWS; i < std::min(n, end * HEAD_ROWS); ++i) {
      float logit = dot3(p.data + i * e, q.data + i * e, h.data, e);
      if (zw > 0) logit += dot2(z.data + i * zw, h.data + e, zw);
      out[size_t(i)] = logit;
    }
  });
  return env.Undefined();
}

Napi::Value ncf_head_grad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "ncf_head_grad";
  const Napi::Env env = info.Env();
  const int64_t n = int_arg(info, 9, K, "n", 0, int64_t(1) << 40);
  const int64_t e = int_arg(info, 10, K, "E", 0, int64_t(1) << 30);
  const int64_t zw = int_arg(info, 11, K, "Z", 0, int64_t(1) << 30);
  const Span<float> g = array_arg<float>(info, 0, K, "dlogit", n);
  const Span<float> p = array_arg<float>(info, 1, K, "p", n * e);
  const Span<float> q = array_arg<float>(info, 2, K, "q", n * e);
  const Span<float> h = array_arg<float>(info, 3, K, "h", e + zw);
  const Span<float> z = array_arg<float>(info, 4, K, "z", n * zw);
  const Span<float> dp = array_arg<float>(info, 5, K, "dp", n * e);
  const Span<float> dq = array_arg<float>(info, 6, K, "dq", n * e);
  const Span<float> dh = array_arg<float>(info, 7, K, "dh", e + zw);
  const Span<float> dz = array_arg<float>(info, 8, K, "dz", n * zw);
  fixed_block_sums(n, HEAD_ROWS, e + zw, [&](int64_t r0, int64_t r1, double* sum) {
    for (int64_t i = r0; i < r1; ++i) {
      const float gi = g[size_t(i)];
      gmf_row_grad(gi, p.data + i * e, q.data + i * e, h.data, dp.data + i * e, dq.data + i * e, sum, e);
      if (zw > 0) tower_row_grad(gi, z.data + i * zw, h.data + e, dz.data + i * zw, sum + e, zw);
    }
  }, [&](int64_t j, double total) { dh[size_t(j)] = float(total); });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(ncf_head);
REC_EXPORT(ncf_head_grad);
