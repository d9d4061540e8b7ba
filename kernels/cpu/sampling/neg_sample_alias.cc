// `neg_sample_alias`: negatives from a host-built alias table (word2vec's
// unigram^0.75, Mikolov et al. 2013 §2.2), optionally excluding each row's
// user's positives. Reference and full contract:
// packages/core/src/kernels/sampling/neg_sample_alias.ts.
//
//   try t of row r: k = counter + 2·(r·T + t)   (T = maxTries)
//                   column = ⌊word k · V / 2³²⌋;  coin = f32(word k+1 >> 8)·2⁻²⁴
//                   item = coin < prob[column] ? column : alias[column]
//   with exclusion: retry while item ∈ positives(users[r]); after T tries keep
//   the last draw and count the row in `exhausted`.
//
// Layouts: prob f32 [V]; alias i32 [V]; users i32 [n] (empty without
// exclusion, then n = count); indptr i32 [U + 1]; indices i32 [nnz] sorted per
// row; out i32 [n] (written); returns exhausted (a number).
// Threading: rows split statically over the pool; each draw is a pure function
// of its counter, so the output is identical for any thread count and
// bit-exact with the js reference (the coin compares exact f32 values).
// Variants: with or without exclusion (exclude = 0/1). Without it every first
// draw is accepted, so rows go 8 at a time through philox4x32_x8 (AVX2 where
// built for it) — the same words, the same output; with one try per row and an
// even counter (the models' draws), rows r and r + 1 share one block, so 8
// blocks serve 16 rows.
// The alias entries are checked where drawn (one pass over the output; on a bad
// draw, a scan names the table's first bad entry, as the reference): a bad entry
// that no draw reaches is not reported — checking all V entries on every call
// cost more than the draws on a 1,000,000-item table (apps/bench kernels.ts).
// Table construction stays on the host (AliasTable.fromWeights): a sequential
// O(V) pass run once per training — the documented exception of issue 3.
#include <algorithm>
#include <atomic>

#include "../addon.h"
#include "../common/alias_draws.h"
#include "../common/checks.h"
#include "../common/philox.h"
#include "../common/prefetch.h"
#include "../common/rejection.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

/**
 * The item of one draw from its two words: column ⌊w0·V/2³²⌋, kept when the coin w1 is below
 * its prob. Branch-free: the coin is a fair guess for the branch predictor wherever prob is
 * away from 0 and 1, and its mispredictions were most of the draw's time.
 */
inline int32_t alias_pick(const float* prob, const int32_t* alias, uint32_t V, uint32_t w0, uint32_t w1) {
  const uint32_t column = mulhi32(w0, V);
  const float coin = float(w1 >> 8) * 0x1p-24f;
  const int32_t other = alias[column];
  const int32_t keep = -int32_t(coin < prob[column]);  // all ones to keep the column
  return (int32_t(column) & keep) | (other & ~keep);
}

}  // namespace

void check_alias_draws(const Napi::Env& env, const char* kernel, const int32_t* drawn, int64_t n, const int32_t* alias, uint32_t V) {
  bool bad = false;
  for (int64_t r = 0; r < n; ++r) bad |= uint32_t(drawn[r]) >= V;
  if (!bad) return;
  for (uint32_t i = 0; i < V; ++i) {
    if (alias[i] < 0 || uint32_t(alias[i]) >= V) {
      fail(env, std::string(kernel) + ": alias[" + std::to_string(i) + "] = " + std::to_string(alias[i]) + " is outside [0, " + std::to_string(V) + ")");
    }
  }
}

void alias_draws(const float* prob, const int32_t* alias, uint32_t V, PhiloxKey key, uint32_t stream, uint64_t counter, uint64_t max_tries,
                 int64_t n, int32_t* out) {
  const auto pick = [&](uint32_t w0, uint32_t w1) { return alias_pick(prob, alias, V, w0, w1); };
  // Every first draw is accepted: word pairs for kLanes rows at once (philox4x32_x8), the
  // same words philox_u32_pair_at gives one row at a time, so the output is unchanged.
  constexpr int kLanes = 8;
  // With one try per row and an even counter, rows r and r + 1 take the two halves of one
  // Philox block once row r's word starts a block: 8 blocks then serve 16 rows.
  const bool paired = max_tries == 1 && counter % 2 == 0;
  parallel_for(n, 4096, [&](int64_t begin, int64_t end, int) {
    int64_t r = begin;
    uint32_t lo[kLanes], hi[kLanes], words[4][kLanes];
    if (paired) {
      if (r < end && (counter + 2 * uint64_t(r)) % 4 == 2) {  // the upper half of a block: alone, to align
        uint32_t w0, w1;
        philox_u32_pair_at(key, stream, counter + 2 * uint64_t(r), w0, w1);
        out[r] = pick(w0, w1);
        ++r;
      }
      // Software-pipelined: the words of the next 2·kLanes rows are drawn, and their columns'
      // prob and alias lines prefetched, before the current rows are picked. On a
      // 1,000,000-entry table each pick is two cache misses; picked as soon as drawn they
      // were 18 % of skipgram_sample_step's samples (bench README, 2026-12-07).
      uint32_t next[4][kLanes], cur[4][kLanes];
      const auto draw_block = [&](int64_t at, uint32_t (&w)[4][kLanes]) {
        const uint64_t block = (counter + 2 * uint64_t(at)) >> 2;
        for (int l = 0; l < kLanes; ++l) {
          lo[l] = uint32_t(block + uint64_t(l));
          hi[l] = uint32_t((block + uint64_t(l)) >> 32);
        }
        philox4x32_x8(lo, hi, stream, key, w);
        for (int l = 0; l < kLanes; ++l) {
          for (const int h : {0, 2}) {
            const uint32_t column = mulhi32(w[h][l], V);
            prefetch_read(prob + column);
            prefetch_read(alias + column);
          }
        }
      };
      if (r + 2 * kLanes <= end) draw_block(r, next);
      for (; r + 2 * kLanes <= end; r += 2 * kLanes) {
        std::copy(&next[0][0], &next[0][0] + 4 * kLanes, &cur[0][0]);
        if (r + 4 * kLanes <= end) draw_block(r + 2 * kLanes, next);
        for (int l = 0; l < kLanes; ++l) {
          out[r + 2 * l] = pick(cur[0][l], cur[1][l]);
          out[r + 2 * l + 1] = pick(cur[2][l], cur[3][l]);
        }
      }
    }
    for (; r + kLanes <= end; r += kLanes) {
      for (int l = 0; l < kLanes; ++l) {
        const uint64_t k = counter + 2 * uint64_t(r + l) * max_tries;
        lo[l] = uint32_t(k >> 2);
        hi[l] = uint32_t(k >> 34);
      }
      philox4x32_x8(lo, hi, stream, key, words);
      for (int l = 0; l < kLanes; ++l) {
        const uint64_t k = counter + 2 * uint64_t(r + l) * max_tries;
        const unsigned at = unsigned(k & 3);
        uint32_t w0, w1;
        if (at == 3) {
          philox_u32_pair_at(key, stream, k, w0, w1);  // the pair straddles two blocks
        } else {
          w0 = words[at][l];
          w1 = words[at + 1][l];
        }
        out[r + l] = pick(w0, w1);
      }
    }
    for (; r < end; ++r) {
      uint32_t w0, w1;
      philox_u32_pair_at(key, stream, counter + 2 * uint64_t(r) * max_tries, w0, w1);
      out[r] = pick(w0, w1);
    }
  });
}

Napi::Value neg_sample_alias(const Napi::CallbackInfo& info) {
  constexpr const char* K = "neg_sample_alias";
  const Napi::Env env = info.Env();
  const Span<float> prob = array_arg<float>(info, 0, K, "prob");
  const Span<int32_t> alias = array_arg<int32_t>(info, 1, K, "alias", int64_t(prob.size));
  const bool exclude = int_arg(info, 2, K, "exclude", 0, 1) == 1;
  const Span<int32_t> users = array_arg<int32_t>(info, 3, K, "users");
  const Span<int32_t> indptr = array_arg<int32_t>(info, 4, K, "indptr");
  const Span<int32_t> indices = array_arg<int32_t>(info, 5, K, "indices");
  const int64_t n = exclude ? int64_t(users.size) : int_arg(info, 6, K, "count", 0, 2147483647);
  const Span<int32_t> out = array_arg<int32_t>(info, 7, K, "out", n);
  const PhiloxKey key{uint32_t(int_arg(info, 8, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 9, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 10, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 11, K, "counter", 0, 9007199254740991LL));
  const uint64_t max_tries = uint64_t(int_arg(info, 12, K, "maxTries", 1, 1 << 20));

  if (prob.size == 0 || prob.size > 2147483647u) fail(env, "neg_sample_alias: the alias table must hold 1 to 2^31 - 1 entries");
  const uint32_t V = uint32_t(prob.size);
  if (exclude) {
    if (indptr.size < 1) fail(env, "neg_sample_alias: indptr must hold numUsers + 1 entries");
    const int64_t num_users = int64_t(indptr.size) - 1;
    for (int64_t u = 0; u < num_users; ++u) {
      if (indptr[u] < 0 || indptr[u] > indptr[u + 1] || size_t(indptr[u + 1]) > indices.size) {
        fail(env, "neg_sample_alias: indptr is not a valid CSR row pointer at user " + std::to_string(u));
      }
    }
    for (size_t r = 0; r < users.size; ++r) {
      if (users[r] < 0 || users[r] >= num_users) {
        fail(env, "neg_sample_alias: user " + std::to_string(users[r]) + " at position " + std::to_string(r) + " is out of range for " +
                      std::to_string(num_users) + " users");
      }
    }
  }

  if (!exclude) {
    alias_draws(prob.data, alias.data, V, key, stream, counter, max_tries, n, out.data);
    check_alias_draws(env, K, out.data, n, alias.data, V);
    return Napi::Number::New(env, 0.0);
  }
  const auto pick = [&](uint32_t w0, uint32_t w1) { return alias_pick(prob.data, alias.data, V, w0, w1); };
  std::atomic<int64_t> exhausted{0};
  parallel_for(n, 4096, [&](int64_t begin, int64_t end, int) {
    int64_t local = 0;
    for (int64_t r = begin; r < end; ++r) {
      const int32_t* lo = indices.data + indptr[users[r]];
      const int32_t* hi = indices.data + indptr[users[r] + 1];
      out[r] = sample_unseen(lo, hi, max_tries, int32_t(0), local, [&](uint64_t t, int32_t& item) {
        uint32_t w0, w1;
        philox_u32_pair_at(key, stream, counter + 2 * (uint64_t(r) * max_tries + t), w0, w1);
        item = pick(w0, w1);
        return true;
      });
    }
    exhausted += local;
  });
  check_alias_draws(env, K, out.data, n, alias.data, V);
  return Napi::Number::New(env, double(exhausted.load()));
}

}  // namespace rec

REC_EXPORT(neg_sample_alias);
