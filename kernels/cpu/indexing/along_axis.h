// Shared by take_along_axis and put_along_axis: the index check of
// packages/core/src/kernels/indexing/take_along_axis.ts (checkIndex), run in
// row order before anything is written, so the error names the first
// offending row exactly as the reference does.
#pragma once

#include <cstdint>
#include <string>

#include "../common/checks.h"

namespace rec {

/** Checks indices[r] ∈ [0, classes) in row order; the message is the reference's. */
inline void check_along_axis_indices(const Napi::Env& env, const char* kernel, Span<int32_t> indices, int64_t classes) {
  for (size_t r = 0; r < indices.size; ++r) {
    if (indices[r] < 0 || indices[r] >= classes) {
      fail(env, std::string(kernel) + ": index " + std::to_string(indices[r]) + " in row " + std::to_string(r) + " is out of range for " +
                    std::to_string(classes) + " classes");
    }
  }
}

}  // namespace rec
