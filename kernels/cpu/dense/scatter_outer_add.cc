// `scatter_outer_add`: outer products summed into the matrix each row's index names. For
// a f32 [n, R], b f32 [n, C], index i32 [n] (each in [0, N)) and the attribute matrices = N:
//
//   out[k, i, c] = Σ_{r : index[r] = k} a[r, i] · b[r, c]          out f32 [N, R, C]
//
// (zero where no row names k). Reference and full contract:
// packages/core/src/kernels/dense/scatter_outer_add.ts. It is gather_matvec's adjoint for the
// table (y = W[index]·x: dW = scatter_outer_add(dy, x, index); with the transpose,
// scatter_outer_add(x, dy, index)), and it never builds the [n, R, C] products.
//
// Layouts: a f32 [n·R], b f32 [n·C], index i32 [n], out f32 [N·R·C], row-major; the caller
// passes out zero-filled (a fresh Float32Array), and only the matrices some row names are
// written. Every index is checked against [0, N) in row order before anything is written
// (the reference's error, naming the first offending row).
// Method: a stable counting sort groups the rows by index (each matrix's rows stay in
// increasing r), then each named matrix is computed whole, as Aₖᵀ·Bₖ over its rows: tiles of
// kTileRows × kTileCols outputs (twelve 8-lane accumulators) held in registers while the
// matrix's rows stream past — per row, two loads of b[r, c …] and one broadcast of each
// a[r, i] — and stored once.
// Numerics: f32 accumulation (FMA where the ISA has it), each element summed over its rows
// in increasing r, as the reference (which sums in f64 and rounds once); parity within
// 1e-5 + 1e-4·|out|.
// Threading: the named matrices, in blocks of kTileRows rows i, are split over the pool in
// static slices weighted by their row counts (so one matrix holding most rows is still
// shared); each output element is summed by one thread in the same order whatever the split,
// so the result is bit-identical for every thread count (no atomics).
// ISA: AVX2 + FMA intrinsics when compiled with them (-march=native on x86), else a
// portable loop.
// Serves: Yu et al., "Personalized Item Recommendation for Second-hand Trading Platform",
// ACM MM 2020, §3.2 eq. 1–2 (the gradients of the per-category maps).
#include <algorithm>
#include <string>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define REC_SCATTER_OUTER_ADD_AVX2 1
#endif

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {

namespace {

constexpr int64_t kTileRows = 6;   // rows i of a tile (one broadcast of a[r, i] each)
constexpr int64_t kTileCols = 16;  // columns c of a tile (two AVX2 vectors)

/** The inputs of one call. */
struct Problem {
  const float* a;
  const float* b;
  int64_t R, C;
};

// out[i0 + j, c0 + l] = Σ_p a[rows[p], i0 + j] · b[rows[p], c0 + l] for j < Rows and
// l < width ≤ kTileCols, each summed in the order of rows.
template <int64_t Rows>
inline void outer_tile(const Problem& P, const int64_t* rows, int64_t count, int64_t i0, int64_t c0, int64_t width, float* out) {
#ifdef REC_SCATTER_OUTER_ADD_AVX2
  if (width == kTileCols) {
    __m256 acc[Rows][2];
    for (int64_t j = 0; j < Rows; ++j) acc[j][0] = acc[j][1] = _mm256_setzero_ps();
    for (int64_t p = 0; p < count; ++p) {
      const float* ar = P.a + rows[p] * P.R + i0;
      const float* br = P.b + rows[p] * P.C + c0;
      const __m256 b0 = _mm256_loadu_ps(br), b1 = _mm256_loadu_ps(br + 8);
      for (int64_t j = 0; j < Rows; ++j) {
        const __m256 aj = _mm256_broadcast_ss(ar + j);
        acc[j][0] = _mm256_fmadd_ps(aj, b0, acc[j][0]);
        acc[j][1] = _mm256_fmadd_ps(aj, b1, acc[j][1]);
      }
    }
    for (int64_t j = 0; j < Rows; ++j) {
      _mm256_storeu_ps(out + (i0 + j) * P.C + c0, acc[j][0]);
      _mm256_storeu_ps(out + (i0 + j) * P.C + c0 + 8, acc[j][1]);
    }
    return;
  }
#endif
  float acc[Rows][kTileCols] = {};
  for (int64_t p = 0; p < count; ++p) {
    const float* ar = P.a + rows[p] * P.R + i0;
    const float* br = P.b + rows[p] * P.C + c0;
    for (int64_t j = 0; j < Rows; ++j) {
      const float aj = ar[j];
      for (int64_t l = 0; l < width; ++l) acc[j][l] += aj * br[l];
    }
  }
  for (int64_t j = 0; j < Rows; ++j) std::copy(acc[j], acc[j] + width, out + (i0 + j) * P.C + c0);
}

template <int64_t Rows>
inline void outer_rows(const Problem& P, const int64_t* rows, int64_t count, int64_t i0, float* out) {
  for (int64_t c0 = 0; c0 < P.C; c0 += kTileCols) outer_tile<Rows>(P, rows, count, i0, c0, std::min(kTileCols, P.C - c0), out);
}

// Rows i0 … i0 + kTileRows (fewer at the end) of one matrix: out = Σ_p a[rows[p]] ⊗ b[rows[p]] there.
void outer_block(const Problem& P, const int64_t* rows, int64_t count, int64_t i0, float* out) {
  switch (std::min(kTileRows, P.R - i0)) {
    case 6: outer_rows<6>(P, rows, count, i0, out); break;
    case 5: outer_rows<5>(P, rows, count, i0, out); break;
    case 4: outer_rows<4>(P, rows, count, i0, out); break;
    case 3: outer_rows<3>(P, rows, count, i0, out); break;
    case 2: outer_rows<2>(P, rows, count, i0, out); break;
    case 1: outer_rows<1>(P, rows, count, i0, out); break;
    default: break;
  }
}

}  // namespace

Napi::Value scatter_outer_add(const Napi::CallbackInfo& info) {
  constexpr const char* K = "scatter_outer_add";
  const Napi::Env env = info.Env();
  const int64_t N = int_arg(info, 4, K, "matrices", 0, int64_t(1) << 40);
  const int64_t R = int_arg(info, 5, K, "rows", 0, int64_t(1) << 40);
  const int64_t C = int_arg(info, 6, K, "cols", 0, int64_t(1) << 40);
  const Span<int32_t> index = array_arg<int32_t>(info, 2, K, "index");
  const int64_t n = int64_t(index.size);
  const Span<float> a = array_arg<float>(info, 0, K, "a", n * R);
  const Span<float> b = array_arg<float>(info, 1, K, "b", n * C);
  const Span<float> out = array_arg<float>(info, 3, K, "out", N * R * C);

  // Counting sort by index, stable: start[k] … start[k + 1] are matrix k's rows in `order`.
  std::vector<int64_t> start(size_t(N) + 1, 0);
  for (int64_t r = 0; r < n; ++r) {
    const int32_t k = index[size_t(r)];
    if (k < 0 || k >= N) {
      fail(env, std::string(K) + ": index " + std::to_string(k) + " at row " + std::to_string(r) + " is out of range for " +
                    std::to_string(N) + " matrices");
    }
    ++start[size_t(k) + 1];
  }
  if (n == 0 || R * C == 0) return env.Undefined();
  for (int64_t k = 0; k < N; ++k) start[size_t(k) + 1] += start[size_t(k)];
  std::vector<int64_t> order(static_cast<size_t>(n));
  {
    std::vector<int64_t> next(start.begin(), start.end() - 1);
    for (int64_t r = 0; r < n; ++r) order[size_t(next[size_t(index[size_t(r)])]++)] = r;
  }

  // Work units: block ib (rows ib·kTileRows …) of a named matrix k, costing its row count, laid
  // out matrix by matrix at positions start[k]·blocks + ib·count over [0, n·blocks). A thread
  // takes the units that start in its static slice, so the split follows the work even when one
  // matrix holds most rows, and every output element is still summed by one thread, in order.
  const Problem P{a.data, b.data, R, C};
  const int64_t blocks = (R + kTileRows - 1) / kTileRows;
  const int64_t* first = start.data();
  // Inline below about 64K multiply-adds: waking the pool costs more than the units.
  parallel_for(n * blocks, std::max<int64_t>(2, 65536 / (kTileRows * C)), [&](int64_t begin, int64_t end, int) {
    // The last matrix starting at or before the slice: those before it end before the slice.
    int64_t k = std::upper_bound(first, first + N + 1, begin / blocks) - first - 1;
    for (k = std::max<int64_t>(k, 0); k < N && first[k] * blocks < end; ++k) {
      const int64_t count = first[k + 1] - first[k];
      for (int64_t ib = 0; ib < blocks && count > 0; ++ib) {
        const int64_t at = first[k] * blocks + ib * count;
        if (at >= end) break;
        if (at >= begin) outer_block(P, order.data() + first[k], count, ib * kTileRows, out.data + k * R * C);
      }
    }
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(scatter_outer_add);
