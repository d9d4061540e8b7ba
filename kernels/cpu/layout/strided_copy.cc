// `strided_copy`: the one copy behind the layout kernels `transpose`, `broadcast_to`, `slice`,
// `pad_slice` and `concat` on native (their references:
// packages/core/src/kernels/layout/transpose.ts, slice.ts, concat.ts and reduce/broadcast_to.ts; the
// plans that turn each into copies: packages/core/src/kernels/layout/plans.ts, shared with
// kernels/wgsl/layout/strided_copy.wgsl).
//
//   dst[dstBase + Σ_a idx_a·dstStride_a] = src[srcBase + Σ_a idx_a·srcStride_a]   for idx over shape
//
// Layouts: 32-bit words of any dtype (f32, i32, u32 — copied bit for bit); strides in
// elements, ≥ 0 (0 on a broadcast axis). Runs: the innermost axis is a memcpy when both
// strides are 1 (merged with the axes above while they are contiguous on both sides), a
// fill when the source stride is 0, a tiled copy against the outer axis that reads the
// source contiguously when there is one (a transpose that moves the last axis: 16 × 16
// tiles), else a strided loop. Bad input: every offset the copy reaches is checked against
// both arrays before anything is written.
// Threading: one thread below 2²⁰ elements (the copies autograd makes are small and the
// pool's hand-off would cost more), else rows of the outer index space (tiled: one task per
// outer index and tile row) over the pool.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kTile = 16;

/**
 * The tiled copy: axis `last` (the run, dst stride 1, src stride > 1) against axis `p` (src
 * stride 1), in kTile × kTile tiles, for every index of the other axes [0, last) \ {p}. Tasks are
 * (other index, tile row of p), split over the pool like the row copies.
 */
void copy_tiled(const uint32_t* s, uint32_t* d, int64_t src_base, int64_t dst_base, const Span<int32_t>& shape, const Span<int32_t>& src_stride,
                const Span<int32_t>& dst_stride, size_t last, size_t p, int64_t total) {
  std::vector<int64_t> oshape, osrc, odst;
  for (size_t a = 0; a < last; ++a) {
    if (a == p) continue;
    oshape.push_back(shape[a]);
    osrc.push_back(src_stride[a]);
    odst.push_back(dst_stride[a]);
  }
  int64_t others = 1;
  for (const int64_t n : oshape) others *= n;
  const int64_t np = shape[p], nk = shape[last];
  const int64_t dsp = dst_stride[p], ssk = src_stride[last];
  const int64_t tiles = (np + kTile - 1) / kTile;
  const auto copy_tasks = [&](int64_t begin, int64_t end, int) {
    for (int64_t t = begin; t < end; ++t) {
      int64_t rem = t / tiles, so = src_base, dof = dst_base;
      for (size_t a = oshape.size(); a-- > 0;) {
        const int64_t i = rem % oshape[a];
        rem /= oshape[a];
        so += i * osrc[a];
        dof += i * odst[a];
      }
      const int64_t i0 = (t % tiles) * kTile, i1 = std::min(np, i0 + kTile);
      for (int64_t k0 = 0; k0 < nk; k0 += kTile) {
        const int64_t k1 = std::min(nk, k0 + kTile);
        for (int64_t i = i0; i < i1; ++i) {
          uint32_t* out = d + dof + i * dsp;
          const uint32_t* in = s + so + i;
          for (int64_t k = k0; k < k1; ++k) out[k] = in[k * ssk];
        }
      }
    }
  };
  const int64_t tasks = others * tiles;
  // The same rule as the row copies: one thread below 2²⁰ elements.
  parallel_for(tasks, total < (int64_t(1) << 20) ? tasks + 1 : 2, copy_tasks);
}

}  // namespace

Napi::Value strided_copy(const Napi::CallbackInfo& info) {
  constexpr const char* K = "strided_copy";
  const Napi::Env env = info.Env();
  const AnySpan src = any_array_arg(info, 0, K, "src");
  const int64_t src_base = int_arg(info, 1, K, "srcBase", 0, 4294967295LL);
  const Span<int32_t> src_stride = array_arg<int32_t>(info, 2, K, "srcStride");
  const AnySpan dst = any_array_arg(info, 3, K, "dst");
  const int64_t dst_base = int_arg(info, 4, K, "dstBase", 0, 4294967295LL);
  const Span<int32_t> dst_stride = array_arg<int32_t>(info, 5, K, "dstStride", int64_t(src_stride.size));
  const Span<int32_t> shape = array_arg<int32_t>(info, 6, K, "shape", int64_t(src_stride.size));
  const size_t rank = shape.size;
  int64_t total = 1;
  int64_t src_last = src_base, dst_last = dst_base;
  for (size_t a = 0; a < rank; ++a) {
    if (shape[a] < 0 || src_stride[a] < 0 || dst_stride[a] < 0) fail(env, "strided_copy: shape and strides must be non-negative");
    total *= shape[a];
    if (shape[a] > 0) {
      src_last += int64_t(shape[a] - 1) * src_stride[a];
      dst_last += int64_t(shape[a] - 1) * dst_stride[a];
    }
  }
  if (total == 0) return env.Undefined();
  if (src_last >= int64_t(src.size) || dst_last >= int64_t(dst.size)) {
    fail(env, "strided_copy: the copy reaches element " + std::to_string(src_last) + " of src (" + std::to_string(src.size) + ") and " +
                  std::to_string(dst_last) + " of dst (" + std::to_string(dst.size) + ")");
  }
  const uint32_t* s = reinterpret_cast<const uint32_t*>(src.data);
  uint32_t* d = reinterpret_cast<uint32_t*>(dst.data);
  if (rank == 0) {
    d[dst_base] = s[src_base];
    return env.Undefined();
  }
  // The innermost run: merge axes upwards while both sides stay contiguous across them.
  size_t inner = rank - 1;
  int64_t run = shape[inner];
  const int64_t ss = src_stride[inner], ds = dst_stride[inner];
  if (ss == 1 && ds == 1) {
    while (inner > 0 && src_stride[inner - 1] == run && dst_stride[inner - 1] == run) {
      --inner;
      run *= shape[inner];
    }
  }
  // A transpose that moves the last axis: the run reads src with a stride > 1 while an outer axis
  // p reads it contiguously. Copy (p, run) in square tiles, so both the reads (along p) and the
  // writes (along the run) stay within a few cache lines per tile row.
  if (ss > 1 && ds == 1) {
    size_t p = inner;
    for (size_t a = 0; a < inner; ++a) {
      if (src_stride[a] == 1 && shape[a] > 1) p = a;
    }
    if (p < inner) {
      copy_tiled(s, d, src_base, dst_base, shape, src_stride, dst_stride, inner, p, total);
      return env.Undefined();
    }
  }
  int64_t rows = 1;
  for (size_t a = 0; a < inner; ++a) rows *= shape[a];
  const auto copy_rows = [&](int64_t begin, int64_t end) {
    // Odometer over the outer axes [0, inner) from row `begin`.
    std::vector<int64_t> idx(inner, 0);
    int64_t rem = begin, so = src_base, dof = dst_base;
    for (size_t a = inner; a-- > 0;) {
      idx[a] = rem % shape[a];
      rem /= shape[a];
      so += idx[a] * src_stride[a];
      dof += idx[a] * dst_stride[a];
    }
    for (int64_t r = begin; r < end; ++r) {
      if (ss == 1 && ds == 1) std::memcpy(d + dof, s + so, size_t(run) * 4);
      else if (ss == 0 && ds == 1) std::fill(d + dof, d + dof + run, s[so]);
      else for (int64_t k = 0; k < run; ++k) d[dof + k * ds] = s[so + k * ss];
      for (size_t a = inner; a-- > 0;) {
        if (++idx[a] < shape[a]) {
          so += src_stride[a];
          dof += dst_stride[a];
          break;
        }
        so -= int64_t(shape[a] - 1) * src_stride[a];
        dof -= int64_t(shape[a] - 1) * dst_stride[a];
        idx[a] = 0;
      }
    }
  };
  if (total < (int64_t(1) << 20) || rows < 2) {
    copy_rows(0, rows);
  } else {
    parallel_for(rows, std::max<int64_t>(1, (int64_t(1) << 18) / std::max<int64_t>(run, 1)), [&](int64_t begin, int64_t end, int) { copy_rows(begin, end); });
  }
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(strided_copy);
