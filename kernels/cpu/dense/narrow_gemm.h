// Products whose output rows are narrow (8 to 64 floats, a multiple of 8): the layers of
// the recommenders' MLP towers (NCF's 64 → 32 → 16 → 8, He et al. 2017, §3.3; MeLU's and
// SASRec's 64-wide blocks), where the tiled matmul of matmul.cc spends more time packing
// than multiplying (issue 18: a NeuMF layer's backward ran at 20 % of FMA peak through it).
//
//   C[i, 0:w] = init_i + Σ_p A(i, p) · B[p, 0:w],   w = 8·NV,  A(i, p) = a[i·a_row + p·a_col]
//
// Method: no packing. Each tile of R output rows keeps its R × NV accumulators in
// registers over the whole reduction; at each p it loads B's row once (NV vectors) and
// broadcasts the R values A(i, p) — R·NV FMAs for NV + R loads. A is addressed through two
// strides, so xᵀ·g (a weight gradient: rows of C are columns of x) needs no transposed copy.
// init_i is zero, a bias row (the same for every i), or C's own row (accumulate).
// Numerics: f32 FMA in order of p, the same for every tiling of the rows, so the result does
// not depend on how rows are split over threads.
// ISA: AVX2 + FMA; `narrow_gemm_supported` is false without them and callers take the
// tiled matmul instead.
#pragma once

#include <algorithm>
#include <cstdint>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define REC_NARROW_GEMM 1
#endif

namespace rec {

/** Where a narrow product's rows start: zero, a bias row, or C's current values. */
enum class NarrowInit { kZero, kBias, kAccumulate };

/** Whether `narrow_gemm` can run an output of width w here (AVX2 + FMA, w ∈ {8, 16, …, 64}). */
inline bool narrow_gemm_supported(int64_t w) {
#ifdef REC_NARROW_GEMM
  return w >= 8 && w <= 64 && w % 8 == 0;
#else
  (void)w;
  return false;
#endif
}

#ifdef REC_NARROW_GEMM
namespace narrow_detail {

// The start and the relu are template arguments and the tile is inlined into its row loop:
// with them as run-time values GCC kept the accumulators in memory, storing all R·NV of them
// at every step of p (35 against 71 GFLOP/s on a 2,048 × 64 → 32 layer).
template <int NV, int R, NarrowInit INIT, bool RELU>
[[gnu::always_inline]] inline void tile(int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb, float* c,
                                        int64_t ldc, const float* bias) {
  __m256 acc[R][NV];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < NV; ++v) {
      if constexpr (INIT == NarrowInit::kAccumulate) {
        acc[r][v] = _mm256_loadu_ps(c + r * ldc + 8 * v);
      } else if constexpr (INIT == NarrowInit::kBias) {
        acc[r][v] = _mm256_loadu_ps(bias + 8 * v);
      } else {
        acc[r][v] = _mm256_setzero_ps();
      }
    }
  }
  for (int64_t p = 0; p < kk; ++p) {
    const float* brow = b + p * ldb;
    const float* acol = a + p * a_col;
    __m256 av[R];
    for (int r = 0; r < R; ++r) av[r] = _mm256_broadcast_ss(acol + r * a_row);
    for (int v = 0; v < NV; ++v) {
      const __m256 bv = _mm256_loadu_ps(brow + 8 * v);
      for (int r = 0; r < R; ++r) acc[r][v] = _mm256_fmadd_ps(av[r], bv, acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < NV; ++v) {
      if constexpr (RELU) {
        _mm256_storeu_ps(c + r * ldc + 8 * v, _mm256_max_ps(acc[r][v], _mm256_setzero_ps()));
      } else {
        _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);
      }
    }
  }
}

// Rows per tile: as many as keep R·NV accumulators, R broadcasts and a B vector within the
// 16 AVX registers (or one spill).
template <int NV>
constexpr int rows_per_tile() {
  return NV <= 2 ? 6 : NV == 3 ? 4 : NV == 4 ? 3 : NV <= 6 ? 2 : 1;
}

template <int NV, NarrowInit INIT, bool RELU>
void rows(int64_t m, int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb, float* c, int64_t ldc,
          const float* bias) {
  constexpr int R = rows_per_tile<NV>();
  int64_t i = 0;
  for (; i + R <= m; i += R) tile<NV, R, INIT, RELU>(kk, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, bias);
  for (; i < m; ++i) tile<NV, 1, INIT, RELU>(kk, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, bias);
}

template <int NV>
void rows_of(int64_t m, int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb, float* c, int64_t ldc,
             const float* bias, NarrowInit init, bool relu) {
  switch (init) {
    case NarrowInit::kZero: rows<NV, NarrowInit::kZero, false>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias); break;
    case NarrowInit::kAccumulate: rows<NV, NarrowInit::kAccumulate, false>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias); break;
    case NarrowInit::kBias:
      if (relu) rows<NV, NarrowInit::kBias, true>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias);
      else rows<NV, NarrowInit::kBias, false>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias);
      break;
  }
}

}  // namespace narrow_detail
#endif

/**
 * C[i, 0:w] = init_i + Σ_{p < kk} A(i, p)·B[p, 0:w] for i < m, then max(·, 0) when relu;
 * A(i, p) = a[i·a_row + p·a_col], B row-major with row stride ldb, C with ldc. Runs on the
 * calling thread. Only where `narrow_gemm_supported(w)`; relu only with a bias start (the forward).
 */
inline void narrow_gemm(int64_t m, int64_t w, int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb,
                        float* c, int64_t ldc, const float* bias, NarrowInit init, bool relu) {
#ifdef REC_NARROW_GEMM
  using namespace narrow_detail;
  switch (w / 8) {
    case 1: rows_of<1>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 2: rows_of<2>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 3: rows_of<3>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 4: rows_of<4>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 5: rows_of<5>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 6: rows_of<6>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 7: rows_of<7>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    default: rows_of<8>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
  }
#else
  (void)m, (void)w, (void)kk, (void)a, (void)a_row, (void)a_col, (void)b, (void)ldb, (void)c, (void)ldc, (void)bias, (void)init, (void)relu;
#endif
}

}  // namespace rec
