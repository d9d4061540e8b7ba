// `gather_matvec`: each row's own matrix, picked from a table by index, times the row's
// vector. For W f32 [N, R, C], index i32 [n] (each in [0, N)) and x f32 [n, K]:
//
//   transpose = false (K = C):  y[r, i] = Σ_c W[index[r], i, c] · x[r, c]     y f32 [n, R]
//   transpose = true  (K = R):  y[r, c] = Σ_i W[index[r], i, c] · x[r, i]     y f32 [n, C]
//
// Reference and full contract: packages/core/src/kernels/dense/gather_matvec.ts. The
// second-hand paper's per-category maps (eq. 1's W_c, eq. 2's W_δ(i)^item) and Sherlock's
// per-category projections; the adjoint for W is scatter_outer_add.cc, transpose = true is
// the adjoint for x.
//
// Layouts: W f32 [N·R·C], index i32 [n], x f32 [n·K], y f32 [n·R] or [n·C], row-major.
// Every index is checked against [0, N) in row order before anything is written (the
// reference's error, naming the first offending row).
// Method: each row reads its matrix in place (no gathered copy).
//   transpose = false: y[r, i] is the dot product of W's row i (C contiguous floats) with
//   x[r]; kDotRows rows of W share each load of x, and each dot product keeps two 8-lane
//   partial sums (16 columns per step: 8 independent FMA chains), added in a fixed order at
//   the end.
//   transpose = true: y[r, c0 … c0 + 64) += x[r, i] · W[m, i, c0 …] for i = 0 … R − 1, eight
//   8-lane accumulators held in registers across i (fewer for the last columns), W's rows
//   read contiguously, each y[r, c] summed in order of i.
// Numerics: f32 accumulation (FMA where the ISA has it); the reference accumulates in f64
// and rounds once; parity within 1e-5 + 1e-4·|y|.
// Threading: rows are independent: static slices of rows over the pool, disjoint writes, no
// atomics; a row is computed the same way on any thread, so the result does not depend on
// the thread count.
// ISA: AVX2 + FMA intrinsics when compiled with them (-march=native on x86), else a
// portable loop.
// Serves: Yu et al., "Personalized Item Recommendation for Second-hand Trading Platform",
// ACM MM 2020, §3.2 eq. 1–2; He et al., "Sherlock", IJCAI 2016, §3.
#include <algorithm>
#include <string>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define REC_GATHER_MATVEC_AVX2 1
#endif

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {

namespace {

constexpr int64_t kDotRows = 4;   // rows of W per pass over x[r] (transpose = false)
constexpr int64_t kAxpyVecs = 8;  // 8-float accumulators of y[r] held across i (transpose = true)

#ifdef REC_GATHER_MATVEC_AVX2
// The sum of v's 8 lanes, in a fixed order.
inline float sum8(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}
#endif

// y[j] = Σ_c w[j·C + c]·x[c] for the Rows rows of w.
template <int64_t Rows>
inline void dot_rows(const float* w, const float* x, int64_t C, float* y) {
  int64_t c = 0;
#ifdef REC_GATHER_MATVEC_AVX2
  __m256 acc[Rows][2];
  for (int64_t j = 0; j < Rows; ++j) acc[j][0] = acc[j][1] = _mm256_setzero_ps();
  for (; c + 16 <= C; c += 16) {
    const __m256 x0 = _mm256_loadu_ps(x + c), x1 = _mm256_loadu_ps(x + c + 8);
    for (int64_t j = 0; j < Rows; ++j) {
      acc[j][0] = _mm256_fmadd_ps(_mm256_loadu_ps(w + j * C + c), x0, acc[j][0]);
      acc[j][1] = _mm256_fmadd_ps(_mm256_loadu_ps(w + j * C + c + 8), x1, acc[j][1]);
    }
  }
  if (c + 8 <= C) {
    const __m256 x0 = _mm256_loadu_ps(x + c);
    for (int64_t j = 0; j < Rows; ++j) acc[j][0] = _mm256_fmadd_ps(_mm256_loadu_ps(w + j * C + c), x0, acc[j][0]);
    c += 8;
  }
  float s[Rows];
  for (int64_t j = 0; j < Rows; ++j) s[j] = sum8(_mm256_add_ps(acc[j][0], acc[j][1]));
#else
  // 16 partial sums per row (lane l sums the c ≡ l mod 16), so the loop vectorises without
  // reassociation; added in a fixed tree.
  float lanes[Rows][16] = {};
  for (; c + 16 <= C; c += 16) {
    for (int64_t j = 0; j < Rows; ++j) {
      for (int64_t l = 0; l < 16; ++l) lanes[j][l] += w[j * C + c + l] * x[c + l];
    }
  }
  float s[Rows];
  for (int64_t j = 0; j < Rows; ++j) {
    for (int64_t half = 8; half >= 1; half /= 2) {
      for (int64_t l = 0; l < half; ++l) lanes[j][l] += lanes[j][l + half];
    }
    s[j] = lanes[j][0];
  }
#endif
  for (int64_t j = 0; j < Rows; ++j) {
    for (int64_t t = c; t < C; ++t) s[j] += w[j * C + t] * x[t];
    y[j] = s[j];
  }
}

// y[0 … R) = W · x for one R × C matrix.
void matvec(const float* w, const float* x, int64_t R, int64_t C, float* y) {
  int64_t i = 0;
  for (; i + kDotRows <= R; i += kDotRows) dot_rows<kDotRows>(w + i * C, x, C, y + i);
  switch (R - i) {
    case 3: dot_rows<3>(w + i * C, x, C, y + i); break;
    case 2: dot_rows<2>(w + i * C, x, C, y + i); break;
    case 1: dot_rows<1>(w + i * C, x, C, y + i); break;
    default: break;
  }
}

#ifdef REC_GATHER_MATVEC_AVX2
// y[c0 … c0 + 8·Vecs) = Σ_i x[i]·W[i, c0 …], summed in order of i.
template <int64_t Vecs>
inline void axpy_block(const float* w, const float* x, int64_t R, int64_t C, int64_t c0, float* y) {
  __m256 acc[Vecs];
  for (int64_t v = 0; v < Vecs; ++v) acc[v] = _mm256_setzero_ps();
  for (int64_t i = 0; i < R; ++i) {
    const __m256 xi = _mm256_broadcast_ss(x + i);
    const float* wi = w + i * C + c0;
    for (int64_t v = 0; v < Vecs; ++v) acc[v] = _mm256_fmadd_ps(xi, _mm256_loadu_ps(wi + 8 * v), acc[v]);
  }
  for (int64_t v = 0; v < Vecs; ++v) _mm256_storeu_ps(y + c0 + 8 * v, acc[v]);
}
#endif

// y[0 … C) = Wᵀ · x for one R × C matrix: rows of W scaled by x[i] and summed in order of i.
void matvec_transposed(const float* w, const float* x, int64_t R, int64_t C, float* y) {
  int64_t c0 = 0;
#ifdef REC_GATHER_MATVEC_AVX2
  for (; c0 + 8 * kAxpyVecs <= C; c0 += 8 * kAxpyVecs) axpy_block<kAxpyVecs>(w, x, R, C, c0, y);
  switch ((C - c0) / 8) {
    case 7: axpy_block<7>(w, x, R, C, c0, y); break;
    case 6: axpy_block<6>(w, x, R, C, c0, y); break;
    case 5: axpy_block<5>(w, x, R, C, c0, y); break;
    case 4: axpy_block<4>(w, x, R, C, c0, y); break;
    case 3: axpy_block<3>(w, x, R, C, c0, y); break;
    case 2: axpy_block<2>(w, x, R, C, c0, y); break;
    case 1: axpy_block<1>(w, x, R, C, c0, y); break;
    default: break;
  }
  c0 += (C - c0) / 8 * 8;
#endif
  // The columns past the last full vector (all of them without AVX2), 64 at a time.
  for (; c0 < C; c0 += 8 * kAxpyVecs) {
    const int64_t width = std::min(8 * kAxpyVecs, C - c0);
    float acc[8 * kAxpyVecs] = {};
    for (int64_t i = 0; i < R; ++i) {
      const float xi = x[i];
      const float* wi = w + i * C + c0;
      for (int64_t l = 0; l < width; ++l) acc[l] += xi * wi[l];
    }
    std::copy(acc, acc + width, y + c0);
  }
}

}  // namespace

Napi::Value gather_matvec(const Napi::CallbackInfo& info) {
  constexpr const char* K = "gather_matvec";
  const Napi::Env env = info.Env();
  const int64_t N = int_arg(info, 4, K, "matrices", 0, int64_t(1) << 40);
  const int64_t R = int_arg(info, 5, K, "rows", 0, int64_t(1) << 40);
  const int64_t C = int_arg(info, 6, K, "cols", 0, int64_t(1) << 40);
  const bool transpose = int_arg(info, 7, K, "transpose", 0, 1) == 1;
  const Span<float> w = array_arg<float>(info, 0, K, "W", N * R * C);
  const Span<int32_t> index = array_arg<int32_t>(info, 1, K, "index");
  const int64_t n = int64_t(index.size);
  const int64_t inner = transpose ? R : C, width = transpose ? C : R;
  const Span<float> x = array_arg<float>(info, 2, K, "x", n * inner);
  const Span<float> y = array_arg<float>(info, 3, K, "y", n * width);
  for (int64_t r = 0; r < n; ++r) {
    const int32_t m = index[size_t(r)];
    if (m < 0 || m >= N) {
      fail(env, std::string(K) + ": index " + std::to_string(m) + " at row " + std::to_string(r) + " is out of range for " +
                    std::to_string(N) + " matrices");
    }
  }
  // Inline below about 64K multiply-adds: waking the pool costs more than the rows.
  parallel_for(n, std::max<int64_t>(2, 65536 / std::max<int64_t>(1, R * C)), [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) {
      const float* wm = w.data + int64_t(index[size_t(r)]) * R * C;
      if (transpose) {
        matvec_transposed(wm, x.data + r * inner, R, C, y.data + r * width);
      } else {
        matvec(wm, x.data + r * inner, R, C, y.data + r * width);
      }
    }
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(gather_matvec);
