// `neg_sample_category`: for each (user, positive) row, a negative from the
// positive's leaf category or (w.p. siblingRate) a sibling leaf under the same
// parent, never one of the user's positives (second-hand paper §3.3.1).
// Reference and full contract: packages/core/src/kernels/sampling/neg_sample_category.ts.
//
//   k_r = counter + r·(1 + 2T)
//   word k_r:            sibling mode iff (w >> 8)·2⁻²⁴ < siblingRate and leaf has siblings
//   try t, word k_r+1+2t: sibling leaf s = siblings(leaf)[⌊w·|siblings| / 2³²⌋] (leaf mode: s = leaf)
//   try t, word k_r+2+2t: item = items(s)[⌊w·|items(s)| / 2³²⌋]; retried while a positive
//   after T tries (or only empty categories) keep the last draw (-1 if none) and count `exhausted`.
//
// Layouts: users, positives i32 [n]; itemCategory i32 [V]; catIndptr i32 [C+1],
// catItems i32 [·]; sibIndptr i32 [C+1], sibCats i32 [·]; userIndptr i32 [U+1],
// userItems i32 [·] sorted per row; out i32 [n]; returns exhausted.
// Threading: rows split statically over the pool; counter-based draws, so the
// output is the same for any thread count and bit-exact with the js reference.
// Inputs are fully checked before the call (the spec's rule, then the TS glue's
// checkNegSampleCategoryIds, the reference's messages); the checks here keep
// every read in bounds.
#include <atomic>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/philox.h"
#include "../common/rejection.h"
#include "../common/thread_pool.h"

namespace rec {

namespace {

void check_csr(const Napi::Env& env, Span<int32_t> ptr, Span<int32_t> values, size_t rows, int64_t range, const char* what) {
  if (ptr.size != rows + 1) fail(env, std::string("neg_sample_category: ") + what + " indptr must hold " + std::to_string(rows + 1) + " entries");
  for (size_t r = 0; r < rows; ++r) {
    if (ptr[r] < 0 || ptr[r] > ptr[r + 1] || size_t(ptr[r + 1]) > values.size) fail(env, std::string("neg_sample_category: ") + what + " indptr is not a valid CSR row pointer at row " + std::to_string(r));
  }
  for (size_t i = 0; i < values.size; ++i) {
    if (values[i] < 0 || values[i] >= range) fail(env, std::string("neg_sample_category: ") + what + " entry " + std::to_string(values[i]) + " at position " + std::to_string(i) + " is out of range");
  }
}

}  // namespace

Napi::Value neg_sample_category(const Napi::CallbackInfo& info) {
  constexpr const char* K = "neg_sample_category";
  const Napi::Env env = info.Env();
  const Span<int32_t> users = array_arg<int32_t>(info, 0, K, "users");
  const Span<int32_t> positives = array_arg<int32_t>(info, 1, K, "positives", int64_t(users.size));
  const Span<int32_t> item_category = array_arg<int32_t>(info, 2, K, "itemCategory");
  const Span<int32_t> cat_indptr = array_arg<int32_t>(info, 3, K, "catIndptr");
  const Span<int32_t> cat_items = array_arg<int32_t>(info, 4, K, "catItems");
  const Span<int32_t> sib_indptr = array_arg<int32_t>(info, 5, K, "sibIndptr");
  const Span<int32_t> sib_cats = array_arg<int32_t>(info, 6, K, "sibCats");
  const Span<int32_t> user_indptr = array_arg<int32_t>(info, 7, K, "userIndptr");
  const Span<int32_t> user_items = array_arg<int32_t>(info, 8, K, "userItems");
  const Span<int32_t> out = array_arg<int32_t>(info, 9, K, "out", int64_t(users.size));
  const double sibling_rate = number_arg(info, 10, K, "siblingRate");
  const PhiloxKey key{uint32_t(int_arg(info, 11, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 12, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 13, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 14, K, "counter", 0, 9007199254740991LL));
  const uint64_t max_tries = uint64_t(int_arg(info, 15, K, "maxTries", 1, 1 << 20));

  if (cat_indptr.size < 1) fail(env, "neg_sample_category: the category indptr is empty");
  const size_t num_cats = cat_indptr.size - 1;
  const int64_t num_items = int64_t(item_category.size);
  for (size_t i = 0; i < item_category.size; ++i) {
    if (item_category[i] < 0 || size_t(item_category[i]) >= num_cats) fail(env, "neg_sample_category: itemCategory[" + std::to_string(i) + "] is out of range");
  }
  check_csr(env, cat_indptr, cat_items, num_cats, num_items, "category items");
  check_csr(env, sib_indptr, sib_cats, num_cats, int64_t(num_cats), "sibling categories");
  if (user_indptr.size < 1) fail(env, "neg_sample_category: userIndptr must hold numUsers + 1 entries");
  const int64_t num_users = int64_t(user_indptr.size) - 1;
  for (int64_t u = 0; u < num_users; ++u) {
    if (user_indptr[u] < 0 || user_indptr[u] > user_indptr[u + 1] || size_t(user_indptr[u + 1]) > user_items.size) fail(env, "neg_sample_category: userIndptr is not a valid CSR row pointer at user " + std::to_string(u));
  }
  for (size_t r = 0; r < users.size; ++r) {
    if (users[r] < 0 || users[r] >= num_users) fail(env, "neg_sample_category: user " + std::to_string(users[r]) + " at position " + std::to_string(r) + " is out of range for " + std::to_string(num_users) + " users");
    if (positives[r] < 0 || positives[r] >= num_items) fail(env, "neg_sample_category: positive " + std::to_string(positives[r]) + " at position " + std::to_string(r) + " is out of range for " + std::to_string(num_items) + " items");
  }

  std::atomic<int64_t> exhausted{0};
  parallel_for(int64_t(users.size), 4096, [&](int64_t begin, int64_t end, int) {
    int64_t local = 0;
    for (int64_t r = begin; r < end; ++r) {
      const int32_t leaf = item_category[positives[r]];
      const int32_t* lo = user_items.data + user_indptr[users[r]];
      const int32_t* hi = user_items.data + user_indptr[users[r] + 1];
      const uint64_t base = counter + uint64_t(r) * (1 + 2 * max_tries);
      const int32_t sib_lo = sib_indptr[leaf];
      const uint32_t sib_count = uint32_t(sib_indptr[leaf + 1] - sib_lo);
      const bool sibling = sib_count > 0 && double(philox_u32_at(key, stream, base) >> 8) * 0x1p-24 < sibling_rate;
      out[r] = sample_unseen(lo, hi, max_tries, int32_t(-1), local, [&](uint64_t t, int32_t& item) {
        const int32_t cat = sibling ? sib_cats[sib_lo + int32_t(mulhi32(philox_u32_at(key, stream, base + 1 + 2 * t), sib_count))] : leaf;
        const uint32_t size = uint32_t(cat_indptr[cat + 1] - cat_indptr[cat]);
        if (size == 0) return false;  // an empty category: no candidate this try
        item = cat_items[cat_indptr[cat] + int32_t(mulhi32(philox_u32_at(key, stream, base + 2 + 2 * t), size))];
        return true;
      });
    }
    exhausted += local;
  });
  return Napi::Number::New(env, double(exhausted.load()));
}

}  // namespace rec

REC_EXPORT(neg_sample_category);
