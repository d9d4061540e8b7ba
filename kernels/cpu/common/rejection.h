// The rejection loop every excluding negative sampler shares: draw a
// candidate, accept it when it is not in the user's sorted row of items, else
// draw again, up to maxTries draws; after maxTries rejections keep the last
// draw and count the row as exhausted. It is the loop of each sampler's js
// reference (packages/core/src/kernels/sampling/*.ts), so keeping it in one
// place keeps every sampler's parity with its reference exact.
#pragma once

#include <algorithm>
#include <cstdint>

namespace rec {

/**
 * Calls draw(t, item) for t = 0, 1, … < max_tries and returns the first item
 * not in the sorted range [lo, hi). draw writes the try's candidate into item
 * and returns true, or returns false when try t yields no candidate (an empty
 * category): item is then left as it was and no check is made. When every try
 * is rejected (or yields nothing) it returns the last item — `item` as passed
 * in if no try wrote one — and adds 1 to `exhausted`.
 *
 * Counter layout stays with the caller: draw(t, …) must read only Philox words
 * that are a function of (row, t), so rows stay independent across threads.
 */
template <typename Item, typename Draw>
inline Item sample_unseen(const int32_t* lo, const int32_t* hi, uint64_t max_tries, Item item, int64_t& exhausted, Draw&& draw) {
  for (uint64_t t = 0; t < max_tries; ++t) {
    if (!draw(t, item)) continue;
    if (!std::binary_search(lo, hi, int32_t(item))) return item;
  }
  ++exhausted;
  return item;
}

}  // namespace rec
