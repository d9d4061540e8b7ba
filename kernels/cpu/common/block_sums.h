// Sums over rows that are the same bits at any thread count: the rows are cut into fixed
// blocks, each block is summed into its own f64 partial row by one thread in row order, and
// the blocks are then added in block order. Used where a kernel reduces over its batch
// (layer_norm_grad's dγ and dβ, dense_bias_act_grad's db, ncf_head_grad's dh).
#pragma once

#include <algorithm>
#include <cstdint>
#include <vector>

#include "thread_pool.h"

namespace rec {

/**
 * Calls body(r0, r1, sums) for each block [r0, r1) of `block` rows (the last may be shorter),
 * `sums` being that block's `width` f64 partials, zeroed; blocks are claimed by whichever pool
 * threads are awake. Then calls store(j, total) for each j < width with the blocks' partials
 * added in block order (zero when there are no rows).
 */
template <typename Body, typename Store>
void fixed_block_sums(int64_t rows, int64_t block, int64_t width, Body&& body, Store&& store) {
  const int64_t blocks = (rows + block - 1) / block;
  std::vector<double> partial(size_t(blocks * width), 0.0);
  parallel_chunks(blocks, 1, 2, [&](int64_t b0, int64_t b1, int) {
    for (int64_t b = b0; b < b1; ++b) body(b * block, std::min(rows, (b + 1) * block), partial.data() + b * width);
  });
  for (int64_t j = 0; j < width; ++j) {
    double total = 0.0;
    for (int64_t b = 0; b < blocks; ++b) total += partial[size_t(b * width + j)];
    store(j, total);
  }
}

}  // namespace rec
