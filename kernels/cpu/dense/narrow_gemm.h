// Products whose output rows are narrow (8 to 64 floats, a multiple of 8): the layers of
// the recommenders' MLP towers (NCF's 64 → 32 → 16 → 8, He et al. 2017, §3.3; MeLU's and
// SASRec's 64-wide blocks), where the tiled matmul of matmul.cc spends more time packing
// than multiplying (issue 18: a NeuMF layer's backward ran at 20 % of FMA peak through it).
//
//   C[i, 0:w] = init_i + Σ_p A(i, p) · B[p, 0:w],   w = 8·NV,  A(i, p) = a[i·a_row + p·a_col]
//
// Method: no packing. Each tile of R output rows keeps its R × NV accumulators in
// registers over a block of KB reduction steps (then carries them through C into the next
// block); at each p it loads B's row once (NV vectors) and broadcasts the R values A(i, p) —
// R·NV FMAs for NV + R loads. A is addressed through two strides, so xᵀ·g (a weight
// gradient: rows of C are columns of x) needs no transposed copy. init_i is zero, a bias
// row (the same for every i), or C's own row (accumulate).
// Numerics: f32 FMA in order of p, the same for every tiling of the rows or the columns and
// every vector width, so the result does not depend on how the product is split over threads.
// ISA: AVX2 + FMA (16-float tiles where the build also has AVX-512F); `narrow_gemm_supported`
// is false without them and callers take the tiled matmul instead.
#pragma once

#include <algorithm>
#include <cstdint>

#include "../common/simd_f32.h"
#ifdef REC_SIMD_F32
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

using simd::Ymm;
#ifdef REC_SIMD_F32_512
using simd::Zmm;
#endif

// The tiles are written in AVX2's 8 floats (16 registers) or, where the build has AVX-512,
// 16 floats (32 registers) for widths that are multiples of 16 (twice the rows per tile, so
// each B vector loaded serves twice the FMAs): common/simd_f32.h. Rows per tile for each:
// R·NV accumulators, R broadcasts and one B vector within the registers (AVX2: or one spill).
template <class X>
constexpr int rows_per_tile(int nv);
template <>
constexpr int rows_per_tile<simd::Ymm>(int nv) { return nv <= 2 ? 6 : nv == 3 ? 4 : nv == 4 ? 3 : nv <= 6 ? 2 : 1; }
#ifdef REC_SIMD_F32_512
template <>
constexpr int rows_per_tile<simd::Zmm>(int nv) { return nv == 1 ? 12 : nv == 2 ? 10 : nv == 3 ? 7 : 6; }
#endif

// The start and the relu are template arguments and the tile is inlined into its row loop:
// with them as run-time values GCC kept the accumulators in memory, storing all R·NV of them
// at every step of p (35 against 71 GFLOP/s on a 2,048 × 64 → 32 layer).
template <class X, int NV, int R, NarrowInit INIT, bool RELU>
[[gnu::always_inline]] inline void tile(int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb, float* c,
                                        int64_t ldc, const float* bias) {
  constexpr int W = X::kLanes;
  typename X::V acc[R][NV];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < NV; ++v) {
      if constexpr (INIT == NarrowInit::kAccumulate) {
        acc[r][v] = X::load(c + r * ldc + W * v);
      } else if constexpr (INIT == NarrowInit::kBias) {
        acc[r][v] = X::load(bias + W * v);
      } else {
        acc[r][v] = X::zero();
      }
    }
  }
  for (int64_t p = 0; p < kk; ++p) {
    const float* brow = b + p * ldb;
    const float* acol = a + p * a_col;
    typename X::V av[R];
    for (int r = 0; r < R; ++r) av[r] = X::broadcast(acol + r * a_row);
    for (int v = 0; v < NV; ++v) {
      const typename X::V bv = X::load(brow + W * v);
      for (int r = 0; r < R; ++r) acc[r][v] = X::fma(av[r], bv, acc[r][v]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < NV; ++v) {
      if constexpr (RELU) {
        X::store(c + r * ldc + W * v, X::relu(acc[r][v]));
      } else {
        X::store(c + r * ldc + W * v, acc[r][v]);
      }
    }
  }
}

template <class X, int NV, NarrowInit INIT, bool RELU>
void rows(int64_t m, int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb, float* c, int64_t ldc,
          const float* bias) {
  constexpr int R = rows_per_tile<X>(NV);
  int64_t i = 0;
  for (; i + R <= m; i += R) tile<X, NV, R, INIT, RELU>(kk, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, bias);
  for (; i < m; ++i) tile<X, NV, 1, INIT, RELU>(kk, a + i * a_row, a_row, a_col, b, ldb, c + i * ldc, ldc, bias);
}

// Reduction steps per pass over the rows. A tile keeps its accumulators over the whole of
// kk, so without blocks every tile of R rows streams all of B's kk rows: for a weight
// gradient (kk = the batch's thousands of rows) that is B from memory once per R rows of C
// (25 GFLOP/s on a 256 × 10,368 · 10,368 × 64 product). In blocks of KB steps, B's block
// (KB · w floats, 64 KiB at w = 64) stays in L2 while every tile of the rows uses it, and
// the tiles carry their sums through C between blocks: f32 stored and reloaded exactly, so
// each element is still one FMA chain in order of p, the same bits as one pass.
constexpr int64_t KB = 256;

template <class X, int NV>
void rows_of(int64_t m, int64_t kk, const float* a, int64_t a_row, int64_t a_col, const float* b, int64_t ldb, float* c, int64_t ldc,
             const float* bias, NarrowInit init, bool relu) {
  for (int64_t p0 = 0; p0 < kk || p0 == 0; p0 += KB) {
    const int64_t kb = std::min(KB, kk - p0);
    const float* ab = a + p0 * a_col;
    const float* bb = b + p0 * ldb;
    const NarrowInit start = p0 == 0 ? init : NarrowInit::kAccumulate;
    const bool act = relu && p0 + kb >= kk;  // the relu once, after the last block
    switch (start) {
      case NarrowInit::kZero: rows<X, NV, NarrowInit::kZero, false>(m, kb, ab, a_row, a_col, bb, ldb, c, ldc, bias); break;
      case NarrowInit::kAccumulate:
        if (act) rows<X, NV, NarrowInit::kAccumulate, true>(m, kb, ab, a_row, a_col, bb, ldb, c, ldc, bias);
        else rows<X, NV, NarrowInit::kAccumulate, false>(m, kb, ab, a_row, a_col, bb, ldb, c, ldc, bias);
        break;
      case NarrowInit::kBias:
        if (act) rows<X, NV, NarrowInit::kBias, true>(m, kb, ab, a_row, a_col, bb, ldb, c, ldc, bias);
        else rows<X, NV, NarrowInit::kBias, false>(m, kb, ab, a_row, a_col, bb, ldb, c, ldc, bias);
        break;
    }
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
#ifdef REC_SIMD_F32_512
  switch (w % 16 == 0 ? w / 16 : 0) {
    case 1: rows_of<Zmm, 1>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); return;
    case 2: rows_of<Zmm, 2>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); return;
    case 3: rows_of<Zmm, 3>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); return;
    case 4: rows_of<Zmm, 4>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); return;
    default: break;
  }
#endif
  switch (w / 8) {
    case 1: rows_of<Ymm, 1>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 2: rows_of<Ymm, 2>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 3: rows_of<Ymm, 3>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 4: rows_of<Ymm, 4>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 5: rows_of<Ymm, 5>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 6: rows_of<Ymm, 6>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    case 7: rows_of<Ymm, 7>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
    default: rows_of<Ymm, 8>(m, kk, a, a_row, a_col, b, ldb, c, ldc, bias, init, relu); break;
  }
#else
  (void)m, (void)w, (void)kk, (void)a, (void)a_row, (void)a_col, (void)b, (void)ldb, (void)c, (void)ldc, (void)bias, (void)init, (void)relu;
#endif
}

}  // namespace rec
