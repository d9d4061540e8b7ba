// `tower_score`: S[b, n] = h · relu(…relu(relu(U_b + V_n)·W₁ + b₁)…·W_L + b_L),
// every (user, item) score of an NCF MLP tower (He et al. 2017, §3.3) whose
// first layer is split into a user part U and an item part V.
// Reference and full contract: packages/core/src/kernels/dense/tower_score.ts.
//
// Layouts: U f32 [B·H₀], V f32 [N·H₀], params f32 = W₁ [H₀·H₁], b₁ [H₁], …,
// W_L, b_L, h [H_L] back to back (the glue concatenates them; they are a few
// KB), widths i32 [L + 1] = H₀ … H_L, S f32 [B·N], row-major.
// Method: a task is one user × a tile of 64 items. Its activations stay in two
// per-thread buffers (64 rows × the widest layer, widths padded to 16 with
// zeros) from the broadcast add to the dot with h, so nothing B·N·H-sized
// touches memory, which is what the composite (add, relu, matmul, add, relu, …
// over B·N rows) spends its time on. Each W is packed once per call into
// 16-column panels; a layer is 4-row × 16-column register tiles (8 AVX2
// accumulators fed by one broadcast of z and two loads of W per k step), with
// the bias and ReLU applied before the one store. Zero padding keeps padded
// columns at relu(0) = 0, so they add nothing to the next layer or the score.
// Numerics: f32 accumulation (FMA), layer by layer like the composite; within
// 1e-4 of the score scale of the reference (f64 dot products rounded per layer).
// Threading: tasks (user, item tile) are split over the pool in static slices.
// ISA: AVX2 + FMA intrinsics when compiled with them, else a portable loop.
#include <algorithm>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define REC_TOWER_AVX2 1
#endif

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {

namespace {

constexpr int64_t kTile = 64;  // items per task; a multiple of kRows
constexpr int64_t kRows = 4;   // rows of a register tile
constexpr int64_t kCols = 16;  // columns of a register tile (two AVX2 vectors)

int64_t pad(int64_t n) { return (n + kCols - 1) / kCols * kCols; }

// One layer's W [k × m] as m_pad / 16 panels of [k_pad × 16], and b [m_pad], zero-padded.
struct Packed {
  int64_t k_pad, m_pad;
  std::vector<float> w, b;
  Packed(const float* W, const float* bias, int64_t k, int64_t m)
      : k_pad(pad(k)), m_pad(pad(m)), w(size_t(pad(k) * pad(m)), 0.0f), b(size_t(pad(m)), 0.0f) {
    for (int64_t p = 0; p < k; ++p)
      for (int64_t j = 0; j < m; ++j) w[size_t((j / kCols) * k_pad * kCols + p * kCols + j % kCols)] = W[p * m + j];
    std::copy(bias, bias + m, b.begin());
  }
};

// out[t·m_pad + j] = relu(b[j] + Σ_p z[t·k_pad + p]·W[p, j]) for the kTile rows of z.
void layer_tile(const float* z, const Packed& L, float* out) {
  const int64_t k = L.k_pad, m = L.m_pad;
  for (int64_t c = 0; c < m; c += kCols) {
    const float* wp = L.w.data() + c * k;
    const float* bias = L.b.data() + c;
    for (int64_t t = 0; t < kTile; t += kRows) {
      const float* z0 = z + t * k;
#ifdef REC_TOWER_AVX2
      const __m256 bias0 = _mm256_loadu_ps(bias), bias1 = _mm256_loadu_ps(bias + 8);
      __m256 acc[kRows][2];
      for (int64_t i = 0; i < kRows; ++i) {
        acc[i][0] = bias0;
        acc[i][1] = bias1;
      }
      for (int64_t p = 0; p < k; ++p) {
        const __m256 w0 = _mm256_loadu_ps(wp + p * kCols), w1 = _mm256_loadu_ps(wp + p * kCols + 8);
        for (int64_t i = 0; i < kRows; ++i) {
          const __m256 a = _mm256_broadcast_ss(z0 + i * k + p);
          acc[i][0] = _mm256_fmadd_ps(a, w0, acc[i][0]);
          acc[i][1] = _mm256_fmadd_ps(a, w1, acc[i][1]);
        }
      }
      const __m256 zero = _mm256_setzero_ps();
      for (int64_t i = 0; i < kRows; ++i) {
        _mm256_storeu_ps(out + (t + i) * m + c, _mm256_max_ps(acc[i][0], zero));
        _mm256_storeu_ps(out + (t + i) * m + c + 8, _mm256_max_ps(acc[i][1], zero));
      }
#else
      float acc[kRows][kCols];
      for (int64_t i = 0; i < kRows; ++i)
        for (int64_t j = 0; j < kCols; ++j) acc[i][j] = bias[j];
      for (int64_t p = 0; p < k; ++p)
        for (int64_t i = 0; i < kRows; ++i) {
          const float a = z0[i * k + p];
          for (int64_t j = 0; j < kCols; ++j) acc[i][j] += a * wp[p * kCols + j];
        }
      for (int64_t i = 0; i < kRows; ++i)
        for (int64_t j = 0; j < kCols; ++j) out[(t + i) * m + c + j] = std::max(acc[i][j], 0.0f);
#endif
    }
  }
}

}  // namespace

Napi::Value tower_score(const Napi::CallbackInfo& info) {
  constexpr const char* K = "tower_score";
  const Napi::Env env = info.Env();
  const int64_t users = int_arg(info, 5, K, "users", 0, int64_t(1) << 40);
  const int64_t items = int_arg(info, 6, K, "items", 0, int64_t(1) << 40);
  const Span<int32_t> widths = array_arg<int32_t>(info, 3, K, "widths");
  if (widths.size == 0) fail(env, std::string(K) + ": widths must name at least H₀");
  int64_t params_len = 0, widest = 0;
  for (size_t l = 0; l < widths.size; ++l) {
    if (widths[l] < 1) fail(env, std::string(K) + ": width " + std::to_string(l) + " must be ≥ 1, got " + std::to_string(widths[l]));
    widest = std::max<int64_t>(widest, pad(widths[l]));
    if (l > 0) params_len += int64_t(widths[l - 1]) * widths[l] + widths[l];
  }
  const int64_t h0 = widths[0], hl = widths[widths.size - 1];
  params_len += hl;
  const Span<float> u = array_arg<float>(info, 0, K, "U", users * h0);
  const Span<float> v = array_arg<float>(info, 1, K, "V", items * h0);
  const Span<float> params = array_arg<float>(info, 2, K, "params", params_len);
  const Span<float> s = array_arg<float>(info, 4, K, "S", users * items);
  if (users * items == 0) return env.Undefined();

  std::vector<Packed> layers;
  const float* p = params.data;
  for (size_t l = 1; l < widths.size; ++l) {
    const int64_t k = widths[l - 1], m = widths[l];
    layers.emplace_back(p, p + k * m, k, m);
    p += k * m + m;
  }
  const float* h = p;
  const int64_t h0_pad = pad(h0), hl_pad = pad(hl);

  const int64_t tiles = (items + kTile - 1) / kTile;
  parallel_for(users * tiles, 2, [&](int64_t begin, int64_t end, int) {
    std::vector<float> bufA(size_t(kTile * widest), 0.0f), bufB(size_t(kTile * widest), 0.0f);
    for (int64_t task = begin; task < end; ++task) {
      const int64_t b = task / tiles, n0 = (task % tiles) * kTile;
      const int64_t rows = std::min(kTile, items - n0);
      float* z = bufA.data();
      float* next = bufB.data();
      const float* ub = u.data + b * h0;
      for (int64_t t = 0; t < kTile; ++t) {
        float* zt = z + t * h0_pad;
        if (t < rows) {
          const float* vn = v.data + (n0 + t) * h0;
          for (int64_t j = 0; j < h0; ++j) zt[j] = std::max(ub[j] + vn[j], 0.0f);
          std::fill(zt + h0, zt + h0_pad, 0.0f);
        } else {
          std::fill(zt, zt + h0_pad, 0.0f);
        }
      }
      for (const Packed& layer : layers) {
        layer_tile(z, layer, next);
        std::swap(z, next);
      }
      float* out = s.data + b * items + n0;
      for (int64_t t = 0; t < rows; ++t) {
        const float* zt = z + t * hl_pad;
        float acc = 0.0f;
        for (int64_t j = 0; j < hl; ++j) acc += zt[j] * h[j];
        out[t] = acc;
      }
    }
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(tower_score);
