// `neg_sample_multichannel`: MC-BPR negatives (Loni et al. 2016; NMTR §IV-A2):
// w.p. viewedRate an item the user viewed but did not buy, else an item the
// user never interacted with. Reference and full contract:
// packages/core/src/kernels/sampling/neg_sample_multichannel.ts.
//
//   k_r = counter + r·(1 + T)
//   word k_r: viewed channel iff (w >> 8)·2⁻²⁴ < viewedRate and viewed(u) ≠ ∅
//   viewed:   item = viewed(u)[⌊word k_r+1 · |viewed(u)| / 2³²⌋]
//   unseen:   try t: item = ⌊word k_r+1+t · V / 2³²⌋, retried while item ∈ seen(u);
//             after T tries keep the last draw and count the row in `exhausted`.
//
// Layouts: users i32 [n]; viewedIndptr, seenIndptr i32 [U + 1]; viewedItems
// i32 [·]; seenItems i32 [·] sorted per row; out, channel i32 [n] (written);
// returns exhausted. Threading: rows split statically over the pool;
// counter-based draws, bit-exact with the js reference for any thread count.
#include <atomic>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/philox.h"
#include "../common/rejection.h"
#include "../common/thread_pool.h"

namespace rec {

Napi::Value neg_sample_multichannel(const Napi::CallbackInfo& info) {
  constexpr const char* K = "neg_sample_multichannel";
  const Napi::Env env = info.Env();
  const Span<int32_t> users = array_arg<int32_t>(info, 0, K, "users");
  const Span<int32_t> viewed_indptr = array_arg<int32_t>(info, 1, K, "viewedIndptr");
  const Span<int32_t> viewed_items = array_arg<int32_t>(info, 2, K, "viewedItems");
  const Span<int32_t> seen_indptr = array_arg<int32_t>(info, 3, K, "seenIndptr", int64_t(viewed_indptr.size));
  const Span<int32_t> seen_items = array_arg<int32_t>(info, 4, K, "seenItems");
  const Span<int32_t> out = array_arg<int32_t>(info, 5, K, "out", int64_t(users.size));
  const Span<int32_t> channel = array_arg<int32_t>(info, 6, K, "channel", int64_t(users.size));
  const double viewed_rate = number_arg(info, 7, K, "viewedRate");
  const uint32_t num_items = uint32_t(int_arg(info, 8, K, "numItems", 1, 2147483647));
  const PhiloxKey key{uint32_t(int_arg(info, 9, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 10, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 11, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 12, K, "counter", 0, 9007199254740991LL));
  const uint64_t max_tries = uint64_t(int_arg(info, 13, K, "maxTries", 1, 1 << 20));

  if (seen_indptr.size < 1) fail(env, "neg_sample_multichannel: indptr must hold numUsers + 1 entries");
  const int64_t num_users = int64_t(seen_indptr.size) - 1;
  for (int64_t u = 0; u < num_users; ++u) {
    if (viewed_indptr[u] < 0 || viewed_indptr[u] > viewed_indptr[u + 1] || size_t(viewed_indptr[u + 1]) > viewed_items.size) fail(env, "neg_sample_multichannel: viewed indptr is not a valid CSR row pointer at user " + std::to_string(u));
    if (seen_indptr[u] < 0 || seen_indptr[u] > seen_indptr[u + 1] || size_t(seen_indptr[u + 1]) > seen_items.size) fail(env, "neg_sample_multichannel: seen indptr is not a valid CSR row pointer at user " + std::to_string(u));
  }
  for (size_t i = 0; i < viewed_items.size; ++i) {
    if (viewed_items[i] < 0 || uint32_t(viewed_items[i]) >= num_items) fail(env, "neg_sample_multichannel: viewed item " + std::to_string(viewed_items[i]) + " at position " + std::to_string(i) + " is outside [0, " + std::to_string(num_items) + ")");
  }
  for (size_t r = 0; r < users.size; ++r) {
    if (users[r] < 0 || users[r] >= num_users) fail(env, "neg_sample_multichannel: user " + std::to_string(users[r]) + " at position " + std::to_string(r) + " is out of range for " + std::to_string(num_users) + " users");
  }

  std::atomic<int64_t> exhausted{0};
  parallel_for(int64_t(users.size), 4096, [&](int64_t begin, int64_t end, int) {
    int64_t local = 0;
    for (int64_t r = begin; r < end; ++r) {
      const int32_t u = users[r];
      const uint64_t base = counter + uint64_t(r) * (1 + max_tries);
      const int32_t v_lo = viewed_indptr[u];
      const uint32_t v_count = uint32_t(viewed_indptr[u + 1] - v_lo);
      if (v_count > 0 && double(philox_u32_at(key, stream, base) >> 8) * 0x1p-24 < viewed_rate) {
        out[r] = viewed_items[v_lo + int32_t(mulhi32(philox_u32_at(key, stream, base + 1), v_count))];
        channel[r] = 1;
        continue;
      }
      const int32_t* lo = seen_items.data + seen_indptr[u];
      const int32_t* hi = seen_items.data + seen_indptr[u + 1];
      out[r] = int32_t(sample_unseen(lo, hi, max_tries, uint32_t(0), local, [&](uint64_t t, uint32_t& item) {
        item = mulhi32(philox_u32_at(key, stream, base + 1 + t), num_items);
        return true;
      }));
      channel[r] = 0;
    }
    exhausted += local;
  });
  return Napi::Number::New(env, double(exhausted.load()));
}

}  // namespace rec

REC_EXPORT(neg_sample_multichannel);
