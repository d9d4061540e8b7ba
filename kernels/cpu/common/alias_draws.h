// Draws from an alias table without exclusion, every row on its first try:
// row r takes Philox words counter + 2·r·maxTries and the next (the contract of
// neg_sample_alias's 2-input form, packages/core/src/kernels/sampling/neg_sample_alias.ts).
// Defined in sampling/neg_sample_alias.cc; shared with sgd/skipgram_step.cc's
// skipgram_sample_step, which draws its negatives with it.
#pragma once

#include <napi.h>

#include <cstdint>

#include "philox.h"

namespace rec {

/** Writes out[0 … n) from the table (prob, alias) of V entries; rows split over the pool. */
void alias_draws(const float* prob, const int32_t* alias, uint32_t V, PhiloxKey key, uint32_t stream, uint64_t counter, uint64_t max_tries,
                 int64_t n, int32_t* out);

/**
 * Fails (with `kernel`'s message naming the table's first entry outside [0, V)) when a draw in
 * drawn[0 … n) came from such an entry; the entries no draw reached are not checked.
 */
void check_alias_draws(const Napi::Env& env, const char* kernel, const int32_t* drawn, int64_t n, const int32_t* alias, uint32_t V);

}  // namespace rec
