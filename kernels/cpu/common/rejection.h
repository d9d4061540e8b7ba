// The rejection loop every excluding negative sampler shares: draw a
// candidate, accept it when it is not in the user's sorted row of items, else
// draw again, up to maxTries draws; after maxTries rejections keep the last
// draw and count the row as exhausted. It is the loop of each sampler's js
// reference (packages/core/src/kernels/sampling/*.ts), so keeping it in one
// place keeps every sampler's parity with its reference exact.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rec {

/**
 * Whether `item` is in the sorted range [lo, hi): the membership test of every excluding
 * sampler. Branch-free, because a draw's outcome is a coin flip for the branch predictor
 * and std::binary_search's mispredictions were most of a draw's time: rows of up to 32
 * items are compared in one pass (vectorised), longer ones by a binary search whose steps
 * are selects.
 */
inline bool sorted_contains(const int32_t* lo, const int32_t* hi, int32_t item) {
  const size_t n = size_t(hi - lo);
  if (n <= 32) {
    bool found = false;
    for (size_t k = 0; k < n; ++k) found |= lo[k] == item;
    return found;
  }
  // The lower bound lies in [base, base + len]; each step halves len with no branch on the
  // data (an add of a 0/1 product: written as a ternary, GCC 12 emitted a conditional jump
  // here, mispredicted about every other level on random items).
  const int32_t* base = lo;
  size_t len = n;
  while (len > 1) {
    const size_t half = len >> 1;
    base += size_t(base[half] < item) * half;
    len -= half;
  }
  // base[0] < item puts the lower bound at base + 1; base[1] > item whenever base[0] > item.
  return base[0] == item || (base + 1 < hi && base[1] == item);
}

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
    if (!sorted_contains(lo, hi, int32_t(item))) return item;
  }
  ++exhausted;
  return item;
}

}  // namespace rec
