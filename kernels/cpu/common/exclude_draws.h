// Negatives uniform over the items a user has no positive with, by bounded retry:
// row r, try t takes Philox word counter + r·maxTries + t (the contract of
// neg_sample_exclude, packages/core/src/kernels/sampling/neg_sample_exclude.ts).
// Defined in sampling/neg_sample_exclude.cc; shared with sgd/bpr_step.cc's
// bpr_sample_step, which draws its negatives with it. The caller checks the users
// and the CSR rows they reach.
#pragma once

#include <cstdint>

#include "philox.h"
#include "prefetch.h"

namespace rec {

/** Writes out[0 … n) for users[0 … n); returns the rows whose maxTries draws were all positives. Rows split over the pool. */
int64_t exclude_draws(const int32_t* users, int64_t n, const int32_t* indptr, const int32_t* indices, uint32_t num_items, PhiloxKey key,
                      uint32_t stream, uint64_t counter, uint64_t max_tries, int32_t* out);

/**
 * Prefetches 16 evenly spaced lines of a sorted list of n items: every line of a list up to
 * 256 items and the first four levels of a longer one's binary search (8–20 % of a draw on
 * ML-1M-shaped lists in L3).
 */
inline void prefetch_list(const int32_t* lo, int64_t n) {
  for (int k = 0; k < 16; ++k) prefetch_read(lo + (n * k >> 4));
}

/**
 * Calls finish(s, first) for every slot s in [begin, end), `first` being the slot's first-try
 * item ⌊word(counter + s·maxTries)·numItems / 2³²⌋. The words of 8 slots come from one
 * philox4x32_x8 call (slots are maxTries words apart, so each first word lies in its own
 * Philox block; AVX2 where built for it), the same words as one at a time; prefetch(s) is
 * called for the next 8 slots while these finish. The tail goes one word at a time. Shared
 * by neg_sample_exclude (a slot per row) and neg_sample_cascade (a slot per row and behaviour).
 */
template <typename Prefetch, typename Finish>
inline void first_tries_x8(int64_t begin, int64_t end, uint64_t counter, uint64_t max_tries, uint32_t stream, PhiloxKey key, uint32_t num_items,
                           Prefetch&& prefetch, Finish&& finish) {
  constexpr int kLanes = 8;
  uint32_t block_lo[kLanes], block_hi[kLanes], words[4][kLanes];
  int64_t s = begin;
  for (; s + kLanes <= end; s += kLanes) {
    for (int l = 0; l < kLanes && s + kLanes + l < end; ++l) prefetch(s + kLanes + l);
    for (int l = 0; l < kLanes; ++l) {
      const uint64_t k = counter + uint64_t(s + l) * max_tries;
      block_lo[l] = uint32_t(k >> 2);
      block_hi[l] = uint32_t(k >> 34);
    }
    philox4x32_x8(block_lo, block_hi, stream, key, words);
    for (int l = 0; l < kLanes; ++l) {
      const uint64_t k = counter + uint64_t(s + l) * max_tries;
      finish(s + l, mulhi32(words[k & 3][l], num_items));
    }
  }
  for (; s < end; ++s) finish(s, mulhi32(philox_u32_at(key, stream, counter + uint64_t(s) * max_tries), num_items));
}

}  // namespace rec
