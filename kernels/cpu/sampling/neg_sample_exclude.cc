// `neg_sample_exclude`: for each row r, a negative item for user users[r]
// drawn uniformly from the items that user has no positive interaction with.
// Reference and full contract: packages/core/src/kernels/sampling/neg_sample_exclude.ts.
//
//   try t of row r:  w = philox word (seed, stream, counter + r·T + t),  T = maxTries
//                    item = ⌊w · numItems / 2³²⌋
//   accept when item ∉ positives(users[r]) (binary search in the sorted CSR row);
//   after T rejected tries keep the last draw and count the row in `exhausted`.
//
// Layouts: users i32 [n]; indptr i32 [U + 1]; indices i32 [nnz], sorted per
// row; out i32 [n] (written); returns exhausted (a number).
// Variants: the first tries of 8 rows go through philox4x32_x8 together (the
// same words); retries, rare unless a user has most items, one at a time.
// Threading: rows split statically over the pool; every draw is a pure
// function of its counter, so the output is identical for any thread count and
// bit-exact with the js reference (EXACT parity).
// Numerics: integer only.
// Serves: BPR (Rendle et al. 2009, §4.3 LearnBPR) and every model trained with
// sampled negatives.
#include <algorithm>
#include <atomic>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/exclude_draws.h"
#include "../common/philox.h"
#include "../common/rejection.h"
#include "../common/thread_pool.h"

namespace rec {

int64_t exclude_draws(const int32_t* users, int64_t n_rows, const int32_t* indptr, const int32_t* indices, uint32_t num_items, PhiloxKey key,
                      uint32_t stream, uint64_t counter, uint64_t max_tries, int32_t* out) {
  std::atomic<int64_t> exhausted{0};
  // Row r from its first try's item: kept unless the user has it, else tries 1 … T − 1 (the
  // reference's loop, from the second try on: a row rejected T times keeps its last draw).
  const auto finish = [&](int64_t r, uint32_t first, int64_t& local) {
    const int32_t* lo = indices + indptr[users[r]];
    const int32_t* hi = indices + indptr[users[r] + 1];
    if (!sorted_contains(lo, hi, int32_t(first))) return int32_t(first);
    return int32_t(sample_unseen(lo, hi, max_tries - 1, first, local, [&](uint64_t t, uint32_t& item) {
      item = mulhi32(philox_u32_at(key, stream, counter + uint64_t(r) * max_tries + t + 1), num_items);
      return true;
    }));
  };
  // Split from 512 rows: bpr_sample_step's batches of 1,024 drawn on one thread left the pool's
  // other worker idle long enough to fall asleep before the step (0.37 ms on two threads
  // against 0.27 on one; split, 0.19–0.26).
  parallel_for(n_rows, 512, [&](int64_t begin, int64_t end, int) {
    int64_t local = 0;
    // Two stages, as the category lists of bpr_step: row r + 8's indptr entry, then row r's
    // list (whose indptr entry that fetched 8 rows ago). The step's random table rows keep
    // evicting indptr from L2, and a prefetch that first waits for its address stalls the draws.
    first_tries_x8(begin, end, counter, max_tries, stream, key, num_items,
                   [&](int64_t r) {
                     if (r + 8 < end) prefetch_read(indptr + users[r + 8]);
                     prefetch_list(indices + indptr[users[r]], indptr[users[r] + 1] - indptr[users[r]]);
                   },
                   [&](int64_t r, uint32_t first) { out[r] = finish(r, first, local); });
    exhausted += local;
  });
  return exhausted.load();
}

Napi::Value neg_sample_exclude(const Napi::CallbackInfo& info) {
  constexpr const char* K = "neg_sample_exclude";
  const Napi::Env env = info.Env();
  const Span<int32_t> users = array_arg<int32_t>(info, 0, K, "users");
  const Span<int32_t> indptr = array_arg<int32_t>(info, 1, K, "indptr");
  const Span<int32_t> indices = array_arg<int32_t>(info, 2, K, "indices");
  const Span<int32_t> out = array_arg<int32_t>(info, 3, K, "out", int64_t(users.size));
  const uint32_t num_items = uint32_t(int_arg(info, 4, K, "numItems", 1, 2147483647));
  const PhiloxKey key{uint32_t(int_arg(info, 5, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 6, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 7, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 8, K, "counter", 0, 9007199254740991LL));
  const uint64_t max_tries = uint64_t(int_arg(info, 9, K, "maxTries", 1, 1 << 20));

  if (indptr.size < 1) fail(env, "neg_sample_exclude: indptr must hold numUsers + 1 entries");
  const int64_t num_users = int64_t(indptr.size) - 1;
  for (int64_t u = 0; u < num_users; ++u) {
    if (indptr[u] < 0 || indptr[u] > indptr[u + 1] || size_t(indptr[u + 1]) > indices.size) {
      fail(env, "neg_sample_exclude: indptr is not a valid CSR row pointer at user " + std::to_string(u));
    }
  }
  for (size_t r = 0; r < users.size; ++r) {
    if (users[r] < 0 || users[r] >= num_users) {
      fail(env, "neg_sample_exclude: user " + std::to_string(users[r]) + " at position " + std::to_string(r) +
                    " is out of range for " + std::to_string(num_users) + " users");
    }
  }

  const int64_t exhausted = exclude_draws(users.data, int64_t(users.size), indptr.data, indices.data, num_items, key, stream, counter, max_tries, out.data);
  return Napi::Number::New(env, double(exhausted));
}

}  // namespace rec

REC_EXPORT(neg_sample_exclude);
