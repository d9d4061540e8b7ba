// `gather_rows`: y[j] = table[indices[j]] — the embedding lookup.
// Reference and full contract: packages/core/src/kernels/indexing/gather_rows.ts.
//
// Layouts: table [rows·width] of any 32-bit dtype (f32, i32, u32; rows of
// `width` elements, the table's trailing axes flattened); indices i32 [n] (any
// shape, flat); y [n·width], table's dtype. Every index is checked against
// [0, rows) before anything is written (the reference's error, naming the
// first offender).
// Method: one memcpy per row — a copy, so bit-exact for every dtype. Memory
// bound: n·width·4 bytes read from random rows, as many written in order.
// Threading: output rows split statically over the pool (disjoint writes).
#include <cstring>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {

Napi::Value gather_rows(const Napi::CallbackInfo& info) {
  constexpr const char* K = "gather_rows";
  const Napi::Env env = info.Env();
  const int64_t rows = int_arg(info, 3, K, "rows", 0, int64_t(1) << 40);
  const int64_t width = int_arg(info, 4, K, "width", 0, int64_t(1) << 40);
  const AnySpan table = any_array_arg(info, 0, K, "table", rows * width);
  const Span<int32_t> indices = array_arg<int32_t>(info, 1, K, "indices");
  const AnySpan y = any_array_arg(info, 2, K, "y", int64_t(indices.size) * width);
  if (y.dtype != table.dtype) fail(env, std::string(K) + ": y is " + dtype_name(y.dtype) + " but the table is " + dtype_name(table.dtype));
  for (size_t j = 0; j < indices.size; ++j) {
    if (indices[j] < 0 || indices[j] >= rows) {
      fail(env, std::string(K) + ": index " + std::to_string(indices[j]) + " at position " + std::to_string(j) +
                    " is out of range for a table of " + std::to_string(rows) + " rows");
    }
  }
  if (width == 0) return env.Undefined();
  const uint32_t* src = table.as<uint32_t>();
  uint32_t* dst = y.as<uint32_t>();
  const size_t row_bytes = size_t(width) * sizeof(uint32_t);
  parallel_for(int64_t(indices.size), std::max<int64_t>(2, 65536 / width), [&](int64_t begin, int64_t end, int) {
    for (int64_t j = begin; j < end; ++j) std::memcpy(dst + j * width, src + int64_t(indices[size_t(j)]) * width, row_bytes);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(gather_rows);
