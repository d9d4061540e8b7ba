// `scatter_add_rows`: y = target; y[indices[j]] += src[j] for every j, in
// order of j, duplicates accumulating.
// Reference and full contract: packages/core/src/kernels/indexing/scatter_add_rows.ts.
//
// Layouts: target [rows·width] and src [n·width] of one 32-bit dtype (f32,
// i32, u32); indices i32 [n]; y [rows·width] (written; target is unchanged).
// Every index is checked against [0, rows) before anything is written.
// Numerics: f32 adds in f32 (the reference's f64 add of two f32 values rounds
// to the same f32), i32/u32 adds wrap modulo 2³² (the reference's f64 sum is
// exact and its store wraps), and each row receives its adds in order of j —
// so the result is bit-exact for every dtype and thread count.
// Threading: each thread owns a contiguous range of target rows and applies,
// in order, the updates that land in it (every thread scans the indices, but
// reads only its own src rows), so no two threads write one row and no
// atomics are needed.
#include <cstring>
#include <type_traits>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

template <typename T>
void scatter_add(const T* target, const int32_t* idx, int64_t n, const T* src, T* y, int64_t rows, int64_t width) {
  using U = std::conditional_t<std::is_same_v<T, float>, float, uint32_t>;  // integers wrap: add as unsigned
  // One part per thread (a part is a range of target rows); one part inline below 64k elements of work.
  const int parts = (rows + n) * width < 65536 ? 1 : ThreadPool::instance().size();
  parallel_for(parts, 2, [&](int64_t tb, int64_t te, int) {
    for (int64_t t = tb; t < te; ++t) {
      int64_t r0, r1;
      static_range(rows, int(t), parts, r0, r1);
      if (r0 >= r1) continue;
      std::memcpy(y + r0 * width, target + r0 * width, size_t((r1 - r0) * width) * sizeof(T));
      for (int64_t j = 0; j < n; ++j) {
        const int64_t r = idx[j];
        if (r < r0 || r >= r1) continue;
        U* out = reinterpret_cast<U*>(y + r * width);
        const U* s = reinterpret_cast<const U*>(src + j * width);
        for (int64_t c = 0; c < width; ++c) out[c] += s[c];
      }
    }
  });
}

}  // namespace

Napi::Value scatter_add_rows(const Napi::CallbackInfo& info) {
  constexpr const char* K = "scatter_add_rows";
  const Napi::Env env = info.Env();
  const int64_t rows = int_arg(info, 4, K, "rows", 0, int64_t(1) << 40);
  const int64_t width = int_arg(info, 5, K, "width", 0, int64_t(1) << 40);
  const AnySpan target = any_array_arg(info, 0, K, "target", rows * width);
  const Span<int32_t> indices = array_arg<int32_t>(info, 1, K, "indices");
  const int64_t n = int64_t(indices.size);
  const AnySpan src = any_array_arg(info, 2, K, "src", n * width);
  const AnySpan y = any_array_arg(info, 3, K, "y", rows * width);
  if (src.dtype != target.dtype || y.dtype != target.dtype) {
    fail(env, std::string(K) + ": target, src and y must share a dtype, got " + dtype_name(target.dtype) + ", " + dtype_name(src.dtype) + ", " +
                  dtype_name(y.dtype));
  }
  for (int64_t j = 0; j < n; ++j) {
    if (indices[size_t(j)] < 0 || indices[size_t(j)] >= rows) {
      fail(env, std::string(K) + ": index " + std::to_string(indices[size_t(j)]) + " at position " + std::to_string(j) + " is out of range for " +
                    std::to_string(rows) + " rows");
    }
  }
  if (rows * width == 0) return env.Undefined();
  dispatch_dtype(target.dtype, [&](auto zero) {
    using T = decltype(zero);
    scatter_add(target.as<T>(), indices.data, n, src.as<T>(), y.as<T>(), rows, width);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(scatter_add_rows);
