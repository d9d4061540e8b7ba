// Negatives uniform over the items a user has no positive with, by bounded retry:
// row r, try t takes Philox word counter + r·maxTries + t (the contract of
// neg_sample_exclude, packages/core/src/kernels/sampling/neg_sample_exclude.ts).
// Defined in sampling/neg_sample_exclude.cc; shared with sgd/bpr_step.cc's
// bpr_sample_step, which draws its negatives with it. The caller checks the users
// and the CSR rows they reach.
#pragma once

#include <cstdint>

#include "philox.h"

namespace rec {

/** Writes out[0 … n) for users[0 … n); returns the rows whose maxTries draws were all positives. Rows split over the pool. */
int64_t exclude_draws(const int32_t* users, int64_t n, const int32_t* indptr, const int32_t* indices, uint32_t num_items, PhiloxKey key,
                      uint32_t stream, uint64_t counter, uint64_t max_tries, int32_t* out);

}  // namespace rec
