// The tiled f32 matmul of dense/matmul.cc, for kernels that reduce to products
// (sampled_softmax's logits and gradients). Contract: see matmul.cc.
#pragma once

#include <cstdint>

namespace rec {

/** c [m, n] = op(a) · op(b), row-major; op(a) [m, k], op(b) [k, n]; uses the thread pool. */
void matmul_f32(const float* a, const float* b, float* c, int64_t m, int64_t n, int64_t k, bool transpose_a, bool transpose_b);

}  // namespace rec
