// `matmul`: C[b] = op(A[b]) · op(B[b]), op ∈ {identity, transpose}, batched.
// Reference and full contract: packages/core/src/kernels/dense/matmul.ts.
//
//   c_ij = Σ_p op(A)_ip · op(B)_pj,   op(A) [m, k], op(B) [k, n], C [batch, m, n]
//
// Layouts and dtypes: f32, row-major, contiguous. A is [.., m, k] ([.., k, m]
// when transposeA), B is [.., k, n] ([.., n, k] when transposeB); a_step /
// b_step are the elements between batches (0 for a 2-D operand shared by every
// batch). The transposes are absorbed by the packing routines, so the inner
// loop is the same for all four variants.
// Blocking (Goto & van de Geijn 2008, "Anatomy of high-performance matrix
// multiplication"; the BLIS loop order): k in blocks of KC, n in blocks of NC;
// op(B)[KC × NC] is packed once into NR-column panels (shared, read-only), then
// m is split into MC-row blocks over the thread pool; each thread packs its
// op(A)[MC × KC] block into MR-row panels and runs an MR × NR register-tile
// micro-kernel over it. MR × NR = 6 × 16: twelve 8-float accumulators, two B
// vectors and one broadcast A value = 15 of the 16 AVX2 registers; 12 × 32 with
// AVX-512 (24 + 2 + 1 of 32). Each element of C is one FMA chain in order of p on
// either, so the tile size does not change the bits.
// Numerics: f32 products, f32 accumulation (FMA where the ISA has it); the
// reference accumulates in f64 — they agree within 1e-4 relative (k ≤ a few
// thousand). Partial k blocks accumulate into C in order, so the result does
// not depend on the thread count.
// Threading: row blocks of C are disjoint per thread (no atomics); the pack of
// op(B) is done by the calling thread before each parallel region.
// ISA: AVX-512F or AVX2 + FMA intrinsics when compiled with them (-march=native
// on x86), else a portable loop the compiler vectorises.
// Serves: the dense layers of NCF (He et al. 2017, §3.3 MLP) and score matrices U·Vᵀ.
#include <algorithm>
#include <cstring>
#include <vector>

#include "../addon.h"
#include "matmul.h"
#include "narrow_gemm.h"
#include "../common/checks.h"
#include "../common/simd_f32.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

#if defined(REC_SIMD_F32_512)
// AVX-512: 12 × 32 tiles, 24 16-float accumulators, two B vectors and one broadcast of the
// 32 registers — twice the FMAs per B vector loaded of the AVX2 tile.
constexpr int64_t MR = 12;
constexpr int64_t NR = 32;
#else
constexpr int64_t MR = 6;
constexpr int64_t NR = 16;
#endif
constexpr int64_t KC = 256;
constexpr int64_t MC = 96;   // multiple of MR; MC·KC·4 B = 96 KiB of packed A per thread (L2)
constexpr int64_t NC = 2048; // multiple of NR; KC·NC·4 B = 2 MiB of packed B (L3), each NR panel 16 KiB (L1)
// Multiply-adds below which a product runs on the calling thread alone (waking the pool costs more).
constexpr int64_t kThreadedWork = int64_t(1) << 18;

struct Operand {
  const float* data;
  int64_t row;  // stride between rows of op(X)
  int64_t col;  // stride between columns of op(X)
};

// Packs op(A)[i0 .. i0+mc, p0 .. p0+kc] into MR-row panels: panel r holds, for
// each p, the MR values of rows r·MR .. r·MR+MR−1 (zero-padded past mc).
void pack_a(const Operand& a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* dst) {
  for (int64_t r = 0; r < mc; r += MR) {
    const int64_t rows = std::min(MR, mc - r);
    for (int64_t p = 0; p < kc; ++p) {
      for (int64_t i = 0; i < MR; ++i) {
        dst[p * MR + i] = i < rows ? a.data[(i0 + r + i) * a.row + (p0 + p) * a.col] : 0.0f;
      }
    }
    dst += kc * MR;
  }
}

// Packs op(B)[p0 .. p0+kc, j0 .. j0+nc] into NR-column panels (zero-padded).
void pack_b(const Operand& b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* dst) {
  for (int64_t c = 0; c < nc; c += NR) {
    const int64_t cols = std::min(NR, nc - c);
    if (cols == NR && b.col == 1) {
      for (int64_t p = 0; p < kc; ++p) std::memcpy(dst + p * NR, b.data + (p0 + p) * b.row + j0 + c, NR * sizeof(float));
    } else {
      for (int64_t p = 0; p < kc; ++p) {
        for (int64_t j = 0; j < NR; ++j) dst[p * NR + j] = j < cols ? b.data[(p0 + p) * b.row + (j0 + c + j) * b.col] : 0.0f;
      }
    }
    dst += kc * NR;
  }
}

// C[MR × NR] (leading dimension ldc) = (accumulate ? C : 0) + Ap · Bp over kc.
void micro_kernel(int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, bool accumulate) {
#if defined(REC_SIMD_F32)
#if defined(REC_SIMD_F32_512)
  using X = simd::Zmm;
#else
  using X = simd::Ymm;
#endif
  static_assert(NR == 2 * X::kLanes, "a tile row is two vectors");
  constexpr int W = X::kLanes;
  typename X::V acc[MR][2];
  for (int64_t i = 0; i < MR; ++i) {
    acc[i][0] = accumulate ? X::load(c + i * ldc) : X::zero();
    acc[i][1] = accumulate ? X::load(c + i * ldc + W) : X::zero();
  }
  for (int64_t p = 0; p < kc; ++p) {
    const typename X::V b0 = X::load(bp + p * NR);
    const typename X::V b1 = X::load(bp + p * NR + W);
    for (int64_t i = 0; i < MR; ++i) {
      const typename X::V av = X::broadcast(ap + p * MR + i);
      acc[i][0] = X::fma(av, b0, acc[i][0]);
      acc[i][1] = X::fma(av, b1, acc[i][1]);
    }
  }
  for (int64_t i = 0; i < MR; ++i) {
    X::store(c + i * ldc, acc[i][0]);
    X::store(c + i * ldc + W, acc[i][1]);
  }
#else
  float acc[MR][NR];
  for (int64_t i = 0; i < MR; ++i)
    for (int64_t j = 0; j < NR; ++j) acc[i][j] = accumulate ? c[i * ldc + j] : 0.0f;
  for (int64_t p = 0; p < kc; ++p)
    for (int64_t i = 0; i < MR; ++i) {
      const float av = ap[p * MR + i];
      for (int64_t j = 0; j < NR; ++j) acc[i][j] += av * bp[p * NR + j];
    }
  for (int64_t i = 0; i < MR; ++i)
    for (int64_t j = 0; j < NR; ++j) c[i * ldc + j] = acc[i][j];
#endif
}

// One MC × nc block of C: every MR × NR tile, edge tiles through a scratch tile.
void block(int64_t mc, int64_t nc, int64_t kc, const float* ap, const float* bp, float* c, int64_t ldc, bool accumulate) {
  float edge[MR * NR];
  for (int64_t j = 0; j < nc; j += NR) {
    const int64_t cols = std::min(NR, nc - j);
    for (int64_t i = 0; i < mc; i += MR) {
      const int64_t rows = std::min(MR, mc - i);
      const float* a = ap + i * kc;
      const float* b = bp + j * kc;
      float* ct = c + i * ldc + j;
      if (rows == MR && cols == NR) {
        micro_kernel(kc, a, b, ct, ldc, accumulate);
      } else {
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t s = 0; s < cols; ++s) edge[r * NR + s] = accumulate ? ct[r * ldc + s] : 0.0f;
        micro_kernel(kc, a, b, edge, NR, true);
        for (int64_t r = 0; r < rows; ++r)
          for (int64_t s = 0; s < cols; ++s) ct[r * ldc + s] = edge[r * NR + s];
      }
    }
  }
}

// c[i] = Σ_p op(A)(i, p)·b[p] for one output column. Rows of op(A) contiguous: a dot product
// per row, in 8 interleaved partial sums added in a fixed order. Columns contiguous (op(A) is a
// transposed A): c accumulates b[p]·column p, each element in order of p. Neither depends on
// how rows are split over threads.
void skinny_column(const Operand& A, const float* b, float* c, int64_t m, int64_t k, bool threaded) {
  constexpr int64_t L = 8;
  auto rows = [&](int64_t begin, int64_t end) {
    if (A.col == 1) {
      for (int64_t i = begin; i < end; ++i) {
        const float* row = A.data + i * A.row;
        float lanes[L] = {0, 0, 0, 0, 0, 0, 0, 0};
        int64_t p = 0;
        for (; p + L <= k; p += L) {
          for (int64_t l = 0; l < L; ++l) lanes[l] += row[p + l] * b[p + l];
        }
        float sum = 0.0f;
        for (; p < k; ++p) sum += row[p] * b[p];
        for (int64_t l = 0; l < L; ++l) sum += lanes[l];
        c[i] = sum;
      }
    } else {
      std::fill(c + begin, c + end, 0.0f);
      for (int64_t p = 0; p < k; ++p) {
        const float* col = A.data + p * A.col;
        const float bp = b[p];
        for (int64_t i = begin; i < end; ++i) c[i] += col[i * A.row] * bp;
      }
    }
  };
  if (!threaded) {
    rows(0, m);
    return;
  }
  parallel_for((m + MC - 1) / MC, 2, [&](int64_t b0, int64_t b1, int) { rows(b0 * MC, std::min(m, b1 * MC)); });
}

}  // namespace

/**
 * Computes one op(A)·op(B) product into c [m, n] (row-major). `a`, `b` follow
 * the strides of `Operand`. Used by `matmul` and by the dense kernels.
 */
void matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a, bool transpose_b) {
  const Operand A{a, transpose_a ? 1 : k, transpose_a ? m : 1};
  const Operand B{b, transpose_b ? 1 : n, transpose_b ? k : 1};
  if (k == 0) {
    std::fill(c, c + m * n, 0.0f);
    return;
  }
  ThreadPool& pool = ThreadPool::instance();
  const bool threaded = pool.size() > 1 && m * n * k >= kThreadedWork;
  // Narrow outputs (MLP tower layers): no packing, narrow_gemm.h. It reads op(B) by rows, so a
  // transposed B (a layer's dx = g·Wᵀ) is first copied out row-major: k·n ≤ 64·k floats, against
  // m·k·n products.
  if (narrow_gemm_supported(n)) {
    static thread_local std::vector<float> rows_of_b;
    const float* bn = b;
    if (B.col != 1) {
      rows_of_b.resize(size_t(k * n));
      for (int64_t p = 0; p < k; ++p) {
        for (int64_t j = 0; j < n; ++j) rows_of_b[size_t(p * n + j)] = b[p * B.row + j * B.col];
      }
      bn = rows_of_b.data();
    }
    // Tasks are row blocks, each split into column halves when there are fewer row blocks
    // than threads (a weight gradient's 64 output rows are one block): a half is the same
    // FMA chains over fewer columns, so the split does not change the bits.
    const int64_t row_blocks = (m + MC - 1) / MC;
    const int64_t halves = threaded && row_blocks < pool.size() && n % 16 == 0 ? 2 : 1;
    const int64_t w = n / halves;
    auto narrow_tasks = [&](int64_t begin, int64_t end, int) {
      for (int64_t t = begin; t < end; ++t) {
        const int64_t bi = t / halves, j0 = (t % halves) * w;
        const int64_t i0 = bi * MC, mc = std::min(MC, m - i0);
        narrow_gemm(mc, w, k, a + i0 * A.row, A.row, A.col, bn + j0, n, c + i0 * n + j0, n, nullptr, NarrowInit::kZero, false);
      }
    };
    const int64_t tasks = row_blocks * halves;
    if (threaded) parallel_for(tasks, 2, narrow_tasks); else narrow_tasks(0, tasks, 0);
    return;
  }
  // One output column (a matrix–vector product, e.g. NeuMF's prediction layer h): the tiled
  // path would pad it to NR columns. op(B) is then a contiguous k-vector either way.
  if (n == 1) {
    skinny_column(A, b, c, m, k, threaded);
    return;
  }
  const int64_t ncMax = std::min(NC, ((n + NR - 1) / NR) * NR);
  std::vector<float> bpack(size_t(std::min(KC, k) * ncMax));
  const int64_t blocks = (m + MC - 1) / MC;
  static thread_local std::vector<float> apack;
  for (int64_t j0 = 0; j0 < n; j0 += NC) {
    const int64_t nc = std::min(NC, n - j0);
    for (int64_t p0 = 0; p0 < k; p0 += KC) {
      const int64_t kc = std::min(KC, k - p0);
      pack_b(B, p0, kc, j0, nc, bpack.data());
      auto rows = [&](int64_t begin, int64_t end, int /*tid*/) {
        std::vector<float>& ap = apack;
        if (ap.size() < size_t(MC * KC)) ap.resize(size_t(MC * KC));
        for (int64_t bi = begin; bi < end; ++bi) {
          const int64_t i0 = bi * MC;
          const int64_t mc = std::min(MC, m - i0);
          pack_a(A, i0, mc, p0, kc, ap.data());
          block(mc, nc, kc, ap.data(), bpack.data(), c + i0 * n + j0, n, p0 > 0);
        }
      };
      // Small products are not worth waking the pool.
      if (pool.size() == 1 || blocks < 2 || m * nc * kc < kThreadedWork) {
        rows(0, blocks, 0);
      } else {
        parallel_for(blocks, 2, rows);
      }
    }
  }
}

Napi::Value matmul(const Napi::CallbackInfo& info) {
  constexpr const char* K = "matmul";
  const Napi::Env env = info.Env();
  const Span<float> a = array_arg<float>(info, 0, K, "a");
  const Span<float> b = array_arg<float>(info, 1, K, "b");
  const Span<float> c = array_arg<float>(info, 2, K, "out");
  const int64_t batch = int_arg(info, 3, K, "batch", 1, int64_t(1) << 40);
  const int64_t m = int_arg(info, 4, K, "m", 0, int64_t(1) << 40);
  const int64_t n = int_arg(info, 5, K, "n", 0, int64_t(1) << 40);
  const int64_t k = int_arg(info, 6, K, "k", 0, int64_t(1) << 40);
  const bool ta = int_arg(info, 7, K, "transposeA", 0, 1) != 0;
  const bool tb = int_arg(info, 8, K, "transposeB", 0, 1) != 0;
  const int64_t a_step = int_arg(info, 9, K, "aStep", 0, int64_t(1) << 50);
  const int64_t b_step = int_arg(info, 10, K, "bStep", 0, int64_t(1) << 50);
  if (a_step != 0 && a_step != m * k) fail(env, "matmul: aStep must be 0 or m·k");
  if (b_step != 0 && b_step != k * n) fail(env, "matmul: bStep must be 0 or k·n");
  if (int64_t(a.size) < (batch - 1) * a_step + m * k) fail(env, "matmul: a is shorter than batch × m × k");
  if (int64_t(b.size) < (batch - 1) * b_step + k * n) fail(env, "matmul: b is shorter than batch × k × n");
  if (int64_t(c.size) != batch * m * n) fail(env, "matmul: out must have batch × m × n elements");
  // A batch of small products (attention's per-head [T, T] scores and their ·V): each is too
  // small to split, so the batch is split over the threads instead. matmul_f32 runs such a
  // product on the calling thread (it uses the pool only from 2^18 multiply-adds), and each
  // product is the same code either way, so the split does not change the bits.
  auto products = [&](int64_t begin, int64_t end, int) {
    for (int64_t bi = begin; bi < end; ++bi) {
      matmul_f32(a.data + bi * a_step, b.data + bi * b_step, c.data + bi * m * n, m, n, k, ta, tb);
    }
  };
  if (batch > 1 && m * n * k < kThreadedWork) {
    parallel_for(batch, std::max<int64_t>(2, kThreadedWork / std::max<int64_t>(1, m * n * k)), products);
  } else {
    products(0, batch, 0);
  }
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(matmul);
