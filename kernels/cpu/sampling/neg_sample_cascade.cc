// `neg_sample_cascade`: per-behaviour negatives for a behaviour cascade
// (NMTR §III-D). Reference and full contract:
// packages/core/src/kernels/sampling/neg_sample_cascade.ts.
//
//   for row r (user u, positive i) and behaviour b < B:
//     i ∉ items_b(u): out[r, b] = -1
//     else try t: j = ⌊word(counter + (r·B + b)·T + t) · V / 2³²⌋, retried while j ∈ items_b(u);
//          after T tries keep the last draw and count the slot in `exhausted`.
//
// Layouts: users, positives i32 [n]; indptr i32 [B·(U+1)] (behaviour-major,
// absolute offsets into indices); indices i32 [nnz] sorted per (b, u) row;
// out i32 [n·B]; returns exhausted. Threading: slots (r, b) split statically over
// the pool; counter-based draws, bit-exact with the js reference for any thread count.
// Variants: the first tries of 8 slots go through philox4x32_x8 together (the same
// words); retries one at a time (neg_sample_exclude's recipe).
#include <algorithm>
#include <atomic>
#include <utility>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/exclude_draws.h"
#include "../common/philox.h"
#include "../common/rejection.h"
#include "../common/thread_pool.h"

namespace rec {

Napi::Value neg_sample_cascade(const Napi::CallbackInfo& info) {
  constexpr const char* K = "neg_sample_cascade";
  const Napi::Env env = info.Env();
  const Span<int32_t> users = array_arg<int32_t>(info, 0, K, "users");
  const Span<int32_t> positives = array_arg<int32_t>(info, 1, K, "positives", int64_t(users.size));
  const Span<int32_t> indptr = array_arg<int32_t>(info, 2, K, "indptr");
  const Span<int32_t> indices = array_arg<int32_t>(info, 3, K, "indices");
  const int64_t B = int_arg(info, 4, K, "behaviours", 1, 1 << 16);
  const Span<int32_t> out = array_arg<int32_t>(info, 5, K, "out", int64_t(users.size) * B);
  const uint32_t num_items = uint32_t(int_arg(info, 6, K, "numItems", 1, 2147483647));
  const PhiloxKey key{uint32_t(int_arg(info, 7, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 8, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 9, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 10, K, "counter", 0, 9007199254740991LL));
  const uint64_t max_tries = uint64_t(int_arg(info, 11, K, "maxTries", 1, 1 << 20));

  if (indptr.size % size_t(B) != 0 || indptr.size / size_t(B) < 1) fail(env, "neg_sample_cascade: indptr must hold behaviours × (numUsers + 1) entries");
  const int64_t stride = int64_t(indptr.size) / B;
  const int64_t num_users = stride - 1;
  for (int64_t b = 0; b < B; ++b) {
    for (int64_t u = 0; u < num_users; ++u) {
      const int32_t lo = indptr[b * stride + u], hi = indptr[b * stride + u + 1];
      if (lo < 0 || lo > hi || size_t(hi) > indices.size) fail(env, "neg_sample_cascade: indptr is not a valid CSR row pointer at behaviour " + std::to_string(b) + ", user " + std::to_string(u));
    }
  }
  for (size_t r = 0; r < users.size; ++r) {
    if (users[r] < 0 || users[r] >= num_users) fail(env, "neg_sample_cascade: user " + std::to_string(users[r]) + " at position " + std::to_string(r) + " is out of range for " + std::to_string(num_users) + " users");
    if (positives[r] < 0 || uint32_t(positives[r]) >= num_items) fail(env, "neg_sample_cascade: positive " + std::to_string(positives[r]) + " at position " + std::to_string(r) + " is out of range for " + std::to_string(num_items) + " items");
  }

  // Slot s = r·B + b draws at counter + s·T + t, like neg_sample_exclude's row s, so it draws
  // the same way (first_tries_x8, common/exclude_draws.h): the first tries of 8 slots from one
  // philox4x32_x8 call, the next 8 slots' behaviour lists prefetched; output unchanged.
  const int64_t slots = int64_t(users.size) * B;
  const auto list = [&](int64_t s) {
    const int64_t r = s / B, b = s % B;
    return std::pair<const int32_t*, const int32_t*>(indices.data + indptr[b * stride + users[r]], indices.data + indptr[b * stride + users[r] + 1]);
  };
  // Slot s from its first try's item: -1 when the row's positive is not among the user's
  // behaviour-b items, else kept unless the user has it, else tries 1 … T − 1.
  const auto finish = [&](int64_t s, uint32_t first, int64_t& local) {
    const auto [lo, hi] = list(s);
    if (!sorted_contains(lo, hi, positives[s / B])) return int32_t(-1);
    if (!sorted_contains(lo, hi, int32_t(first))) return int32_t(first);
    return int32_t(sample_unseen(lo, hi, max_tries - 1, first, local, [&](uint64_t t, uint32_t& item) {
      item = mulhi32(philox_u32_at(key, stream, counter + uint64_t(s) * max_tries + t + 1), num_items);
      return true;
    }));
  };
  std::atomic<int64_t> exhausted{0};
  parallel_for(slots, 4096, [&](int64_t begin, int64_t end, int) {
    int64_t local = 0;
    first_tries_x8(begin, end, counter, max_tries, stream, key, num_items,
                   [&](int64_t s) { const auto [lo, hi] = list(s); prefetch_list(lo, hi - lo); },
                   [&](int64_t s, uint32_t first) { out[s] = finish(s, first, local); });
    exhausted += local;
  });
  return Napi::Number::New(env, double(exhausted.load()));
}

}  // namespace rec

REC_EXPORT(neg_sample_cascade);
