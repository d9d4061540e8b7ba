// `put_along_axis`: the adjoint of take_along_axis —
// y = zeros([rows, classes]); y[r, indices[r]] += x[r]. Reference and full
// contract: packages/core/src/kernels/indexing/take_along_axis.ts.
//
// Layouts: x f32 [rows]; indices i32 [rows]; y f32 [rows·classes], which the
// caller passes zero-filled (a fresh Float32Array). Every index is checked
// against [0, classes) in row order before anything is written (the
// reference's error, naming the first offending row).
// Method: each row writes one element of its own row, as the reference:
// y += x on the zero fill (so x = −0 gives +0 there too), bit-exact.
// Memory-bound: the zero fill of y dominates.
// Threading: rows split statically over the pool (disjoint writes).
#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"
#include "along_axis.h"

namespace rec {

Napi::Value put_along_axis(const Napi::CallbackInfo& info) {
  constexpr const char* K = "put_along_axis";
  const Napi::Env env = info.Env();
  const Span<int32_t> indices = array_arg<int32_t>(info, 1, K, "indices");
  const int64_t classes = int_arg(info, 3, K, "classes", 0, int64_t(1) << 40);
  const Span<float> x = array_arg<float>(info, 0, K, "x", int64_t(indices.size));
  const Span<float> y = array_arg<float>(info, 2, K, "y", int64_t(indices.size) * classes);
  check_along_axis_indices(env, K, indices, classes);
  parallel_for(int64_t(indices.size), 1 << 16, [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) y[size_t(r * classes + indices[size_t(r)])] += x[size_t(r)];
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(put_along_axis);
