// `rank_topk`: score a block of users against every item by dot product, mask
// each user's listed items, keep the K best per user — the engine of
// full-ranking evaluation and of serving.
// Reference and full contract: packages/core/src/kernels/ranking/rank_topk.ts.
//
//   s[b, j] = ⟨U[b], V[j]⟩ (+ bias[j])            (U [B, d] × Vᵀ, V [n, d], bias [n] or empty)
//   top[b]  = the K items j ∉ mask(b) of highest s[b, j], best first;
//             ties go to the lower item index (packages/eval/src/topk.ts)
//   mask(b) = indices[indptr[b] .. indptr[b+1]), sorted ascending per row
//
// Outputs: topIndices i32 [B·K], topScores f32 [B·K]; a user with fewer than K
// unmasked items is padded with index −1 and score −∞.
// Layouts and blocking: V is packed once per call into blocks of 256 items,
// transposed to [d][256], so the inner loop is a broadcast-FMA over 256
// contiguous items that the compiler vectorises with the host ISA; groups of 8
// users share each packed block while it sits in L2. The score rows of a
// group (8·n floats) stay in L2/L3, then one pass per user merges the sorted
// mask and keeps the K best by a rising threshold and a candidate buffer (TopK
// below): 16 scores compared with the threshold at a time, the buffer cut back
// to K by nth_element when full, the K sorted at the end. With AVX-512, a group
// of 8 users is scored 16 items at a time in registers (score_group16). Fewer than 8
// users (a serving request) skip the whole-table pack: V is read in place (AVX-512
// gathers) or a block at a time through one reused tile, so a single user costs one pass
// over V, not a copy of it first.
// Numerics: f32 accumulation over d in order k = 0..d−1 (FMA-contracted); the
// reference sums in f64 and rounds to f32, so scores agree to f32 rounding and
// indices agree exactly whenever scores are exactly representable (the parity
// tests use such inputs, with and without ties). NaN scores are unspecified
// here (the reference throws).
// Threading: groups of users handed out dynamically over the pool; each thread
// owns its scores and candidate buffer; output rows are disjoint, so the result does not
// depend on the thread count.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <vector>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kItemBlock = 256;
constexpr int64_t kUserGroup = 8;


/**
 * The K best of a score row by a threshold and a candidate buffer: every unmasked item above
 * the threshold (the K-th best so far) is appended as one 64-bit key that orders as "better"
 * (the score's bits made monotone, then the complement of the index: an equal score with a
 * lower index is better); when the buffer is full it is cut back to its K best
 * (nth_element on the keys) and the threshold rises to the worst of them. Items arrive in
 * ascending index, so an item equal to the threshold loses its tie and is skipped. At the end
 * the K best are sorted best first (score, then lower index): the reference's result exactly, with
 * no data-dependent branch per item — the scan compares 16 scores at a time with the
 * threshold (vectorised), and most chunks hold none above it.
 */
struct TopK {
  /** (score, index) as one integer that orders as "better": the score's bits made monotone above, the complement of the index below. */
  std::vector<uint64_t> keys;
  int64_t size = 0;

  static uint64_t key(float s, int64_t j) {
    if (s == 0) s = 0.0f;  // −0 ties with +0, as the comparisons of the reference
    uint32_t u;
    std::memcpy(&u, &s, 4);
    u ^= (u & 0x80000000u) ? 0xffffffffu : 0x80000000u;  // negative floats reversed, positive above them
    return (uint64_t(u) << 32) | uint64_t(0xffffffffu - uint32_t(j));
  }
  static float score_of(uint64_t k) {
    uint32_t u = uint32_t(k >> 32);
    u ^= (u & 0x80000000u) ? 0x80000000u : 0xffffffffu;
    float s;
    std::memcpy(&s, &u, 4);
    return s;
  }
  static int32_t index_of(uint64_t k) { return int32_t(0xffffffffu - uint32_t(k)); }

  /** Cuts the buffer to its best `keep` (nth_element on the keys) and returns the worst score kept. */
  float prune(int64_t keep) {
    std::nth_element(keys.begin(), keys.begin() + (keep - 1), keys.begin() + size, std::greater<uint64_t>());
    size = keep;
    return score_of(keys[size_t(keep - 1)]);
  }

  /** Keeps the best `capacity` of `scores` over items not in the sorted mask [mlo, mhi). */
  void select(const float* scores, int64_t n, const int32_t* mlo, const int32_t* mhi, int64_t capacity, int32_t* out_idx, float* out_score) {
    const int64_t room = std::max<int64_t>(4 * capacity, 256);
    keys.resize(size_t(room));
    size = 0;
    bool bounded = false;  // whether `threshold` is the K-th best so far
    float threshold = 0;
    const auto push = [&](float s, int64_t j) {
      keys[size_t(size)] = key(s, j);
      if (++size == room) {
        threshold = prune(capacity);
        bounded = true;
      }
    };
    int64_t j = 0;
    while (j < n) {
      const int64_t end = mlo < mhi ? std::min<int64_t>(*mlo, n) : n;
      for (; j < end && !bounded; ++j) push(scores[j], j);
      constexpr int64_t kChunk = 16;
      for (; j + kChunk <= end; j += kChunk) {
        const float worst = threshold;
        bool any = false;
        for (int64_t k = 0; k < kChunk; ++k) any |= scores[j + k] > worst;
        if (!any) continue;
        for (int64_t k = 0; k < kChunk; ++k) {
          if (scores[j + k] > threshold) push(scores[j + k], j + k);
        }
      }
      for (; j < end; ++j) {
        if (!bounded || scores[j] > threshold) push(scores[j], j);
      }
      if (mlo < mhi) {
        j = int64_t(*mlo) + 1;  // skip the masked item
        ++mlo;
      }
    }
    const int64_t kept = std::min(size, capacity);
    if (size > kept) prune(kept);
    std::sort(keys.begin(), keys.begin() + kept, std::greater<uint64_t>());
    for (int64_t o = 0; o < kept; ++o) {
      out_idx[o] = index_of(keys[size_t(o)]);
      out_score[o] = score_of(keys[size_t(o)]);
    }
    for (int64_t o = kept; o < capacity; ++o) {
      out_idx[o] = -1;
      out_score[o] = -std::numeric_limits<float>::infinity();
    }
  }
};

/**
 * One user's scores against one packed block (`vt`, [d][kItemBlock]) into `s` (kItemBlock
 * floats): a broadcast multiply-add over the block's contiguous items, 4 columns per pass,
 * which the compiler vectorises with the host ISA. Used for users outside a full AVX-512
 * group, and by the few-users path, so both sum alike.
 */
inline void score_row(const float* u, int64_t d, const float* vt, float* __restrict s) {
  for (int64_t j = 0; j < kItemBlock; ++j) s[j] = 0.0f;
  int64_t c = 0;
  for (; c + 4 <= d; c += 4) {
    const float u0 = u[c], u1 = u[c + 1], u2 = u[c + 2], u3 = u[c + 3];
    const float* __restrict v0 = vt + c * kItemBlock;
    const float* __restrict v1 = v0 + kItemBlock;
    const float* __restrict v2 = v1 + kItemBlock;
    const float* __restrict v3 = v2 + kItemBlock;
    for (int64_t j = 0; j < kItemBlock; ++j) s[j] = s[j] + u0 * v0[j] + u1 * v1[j] + u2 * v2[j] + u3 * v3[j];
  }
  for (; c < d; ++c) {
    const float uc = u[c];
    const float* __restrict v0 = vt + c * kItemBlock;
    for (int64_t j = 0; j < kItemBlock; ++j) s[j] = s[j] + uc * v0[j];
  }
}

/**
 * Items [j0, j1) of row-major V [n, d] transposed into `dst` ([d][kItemBlock]); the tail past
 * j1 is left as it is. 16 items at a time, so each write fills one 64-byte line of a column:
 * item by item, the d writes of one item fall kItemBlock floats (1 KB) apart, into a handful
 * of L1 sets, and every write missed (on Tmall, 2.7 ms of a 2.8 ms single-user call).
 */
inline void pack_block(const float* V, int64_t d, int64_t j0, int64_t j1, float* dst) {
  constexpr int64_t kRun = 16;
  int64_t j = j0;
  for (; j + kRun <= j1; j += kRun) {
    const float* rows = V + j * d;
    for (int64_t c = 0; c < d; ++c) {
      float* out = dst + c * kItemBlock + (j - j0);
      for (int64_t r = 0; r < kRun; ++r) out[r] = rows[r * d + c];
    }
  }
  for (; j < j1; ++j) {
    const float* row = V + j * d;
    for (int64_t c = 0; c < d; ++c) dst[c * kItemBlock + (j - j0)] = row[c];
  }
}

#if defined(__AVX512F__)
/**
 * The scores of kUserGroup (8) users against one packed block of kItemBlock items, register
 * blocked: per 16-item tile, 8 accumulators (one per user) over the d columns, each step one
 * load of the tile's column and 8 FMAs with the users' broadcast values — where the generic
 * loop below loads and stores every score row once per 4 columns. Each score is the same
 * FMA chain over c = 0 … d − 1 from 0. `out` is user 0's row at this block; rows are `stride`
 * apart.
 */
inline void score_group16(const float* u, int64_t d, const float* vt, float* out, int64_t stride) {
  for (int64_t t = 0; t < kItemBlock; t += 16) {
    __m512 acc[kUserGroup];
    for (int64_t b = 0; b < kUserGroup; ++b) acc[b] = _mm512_setzero_ps();
    for (int64_t c = 0; c < d; ++c) {
      const __m512 v = _mm512_loadu_ps(vt + c * kItemBlock + t);
      for (int64_t b = 0; b < kUserGroup; ++b) acc[b] = _mm512_fmadd_ps(_mm512_set1_ps(u[b * d + c]), v, acc[b]);
    }
    for (int64_t b = 0; b < kUserGroup; ++b) _mm512_storeu_ps(out + b * stride + t, acc[b]);
  }
}

/**
 * The 16 rows r[0 … 15] (16 floats each) transposed in registers: afterwards r[c] holds
 * element c of every row, row i in lane i. Unpacks and in-lane shuffles give each 128-bit
 * lane four rows of one column; two rounds of 128-bit lane shuffles gather the four lanes.
 */
inline void transpose16(__m512 r[16]) {
  __m512 t[16];
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(r[i], r[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(r[i], r[i + 1]);
  }
  // s[4q + m], lane L: column 4L + m of rows 4q … 4q + 3.
  __m512 s[16];
  for (int q = 0; q < 16; q += 4) {
    s[q] = _mm512_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(1, 0, 1, 0));
    s[q + 1] = _mm512_shuffle_ps(t[q], t[q + 2], _MM_SHUFFLE(3, 2, 3, 2));
    s[q + 2] = _mm512_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(1, 0, 1, 0));
    s[q + 3] = _mm512_shuffle_ps(t[q + 1], t[q + 3], _MM_SHUFFLE(3, 2, 3, 2));
  }
  // Column 4L + m, lane Q = s[4Q + m] lane L: a 4 × 4 transpose of 128-bit lanes per m.
  for (int m = 0; m < 4; ++m) {
    const __m512 ab_lo = _mm512_shuffle_f32x4(s[m], s[4 + m], 0x44), ab_hi = _mm512_shuffle_f32x4(s[m], s[4 + m], 0xEE);
    const __m512 cd_lo = _mm512_shuffle_f32x4(s[8 + m], s[12 + m], 0x44), cd_hi = _mm512_shuffle_f32x4(s[8 + m], s[12 + m], 0xEE);
    r[m] = _mm512_shuffle_f32x4(ab_lo, cd_lo, 0x88);
    r[4 + m] = _mm512_shuffle_f32x4(ab_lo, cd_lo, 0xDD);
    r[8 + m] = _mm512_shuffle_f32x4(ab_hi, cd_hi, 0x88);
    r[12 + m] = _mm512_shuffle_f32x4(ab_hi, cd_hi, 0xDD);
  }
}

/**
 * The scores of B < kUserGroup users against 16 items read in place from row-major V
 * (`v` = the first item's row): 16 columns at a time are loaded as 16 row pieces (masked
 * past d) and transposed in registers, then each user's accumulator takes one FMA per
 * column in order c = 0 … d − 1 from 0 — score_group16's chain, without packing V first.
 * Item t's score for user b goes to out[b · stride + t].
 */
template <int B>
inline void score_few16(const float* u, int64_t d, const float* v, float* out, int64_t stride) {
  // B is a template parameter so that the accumulators stay in registers (a run-time count
  // spilled them to the stack, and each FMA waited on a store and a load).
  __m512 acc[B];
  for (int b = 0; b < B; ++b) acc[b] = _mm512_setzero_ps();
  __m512 col[16];
  for (int64_t c0 = 0; c0 < d; c0 += 16) {
    const int64_t width = std::min<int64_t>(16, d - c0);
    const __mmask16 keep = __mmask16((1u << width) - 1u);
    for (int i = 0; i < 16; ++i) col[i] = _mm512_maskz_loadu_ps(keep, v + i * d + c0);
    transpose16(col);
    for (int64_t c = 0; c < width; ++c) {
      for (int b = 0; b < B; ++b) acc[b] = _mm512_fmadd_ps(_mm512_set1_ps(u[b * d + c0 + c]), col[c], acc[b]);
    }
  }
  for (int b = 0; b < B; ++b) _mm512_storeu_ps(out + b * stride, acc[b]);
}

/**
 * score_few16 for B = 1 … kUserGroup − 1 users over items [0, n16) (a multiple of 16), the
 * 16-item tiles split evenly over the pool (disjoint score columns, the same arithmetic at
 * any thread count); a catalogue under 64 tiles runs on the calling thread.
 */
template <int B>
void score_few_rows(const float* u, int64_t d, const float* V, int64_t n16, float* scores, int64_t stride) {
  parallel_for(n16 / 16, 64, [&](int64_t begin, int64_t end, int) {
    for (int64_t t = begin; t < end; ++t) score_few16<B>(u, d, V + t * 16 * d, scores + t * 16, stride);
  });
}
static_assert(kUserGroup == 8, "score_few dispatches 1 … 7 users");
inline void score_few(int64_t B, const float* u, int64_t d, const float* V, int64_t n16, float* scores, int64_t stride) {
  switch (B) {
    case 1: return score_few_rows<1>(u, d, V, n16, scores, stride);
    case 2: return score_few_rows<2>(u, d, V, n16, scores, stride);
    case 3: return score_few_rows<3>(u, d, V, n16, scores, stride);
    case 4: return score_few_rows<4>(u, d, V, n16, scores, stride);
    case 5: return score_few_rows<5>(u, d, V, n16, scores, stride);
    case 6: return score_few_rows<6>(u, d, V, n16, scores, stride);
    default: return score_few_rows<7>(u, d, V, n16, scores, stride);
  }
}
#endif

}  // namespace

Napi::Value rank_topk(const Napi::CallbackInfo& info) {
  constexpr const char* K = "rank_topk";
  const Napi::Env env = info.Env();
  const Span<float> U = array_arg<float>(info, 0, K, "userFactors");
  const Span<float> V = array_arg<float>(info, 1, K, "itemFactors");
  const int64_t d = int_arg(info, 2, K, "dim", 1, 1 << 20);
  const Span<int32_t> indptr = array_arg<int32_t>(info, 3, K, "maskIndptr");
  const Span<int32_t> mask = array_arg<int32_t>(info, 4, K, "maskIndices");
  const int64_t k = int_arg(info, 5, K, "k", 1, 1 << 20);
  if (U.size % size_t(d) != 0 || V.size % size_t(d) != 0) fail(env, "rank_topk: factor matrices are not whole rows of the given dim");
  const int64_t B = int64_t(U.size) / d;
  const int64_t n = int64_t(V.size) / d;
  const Span<int32_t> out_idx = array_arg<int32_t>(info, 6, K, "topIndices", B * k);
  const Span<float> out_score = array_arg<float>(info, 7, K, "topScores", B * k);
  const Span<float> bias = array_arg<float>(info, 8, K, "itemBias");
  if (bias.size != 0 && int64_t(bias.size) != n) fail(env, "rank_topk: itemBias must hold one value per item (" + std::to_string(n) + ")");
  const bool has_bias = bias.size != 0;
  if (int64_t(indptr.size) != B + 1) fail(env, "rank_topk: maskIndptr must hold users + 1 = " + std::to_string(B + 1) + " entries");
  for (int64_t b = 0; b < B; ++b) {
    if (indptr[b] < 0 || indptr[b] > indptr[b + 1] || size_t(indptr[b + 1]) > mask.size) {
      fail(env, "rank_topk: maskIndptr is not a valid CSR row pointer at user " + std::to_string(b));
    }
    for (int32_t e = indptr[b]; e < indptr[b + 1]; ++e) {
      if (mask[e] < 0 || mask[e] >= n || (e > indptr[b] && mask[e] <= mask[e - 1])) {
        fail(env, "rank_topk: mask of user " + std::to_string(b) + " must be item ids in [0, " + std::to_string(n) +
                      ") sorted ascending without duplicates; entry " + std::to_string(e) + " is " + std::to_string(mask[e]));
      }
    }
  }

  const int64_t blocks = (n + kItemBlock - 1) / kItemBlock;
  const int64_t padded = blocks * kItemBlock;
  if (B == 0) return env.Undefined();
  if (B < kUserGroup) {
    // A few users (one serving request): packing all of V would cost more than scoring it
    // (a 3 MB copy for Tmall's 11,953 × 64 items, against one user's 0.8 M multiply-adds).
    // With AVX-512, 16 items at a time are loaded in place, transposed in registers and scored
    // as score_group16 scores them (score_few16); otherwise each block is packed into one tile that stays in L1/L2 and is scored as
    // the generic path scores it. Either way each score is the same FMA chain over c = 0 … d − 1
    // from 0 as in the batched path, so a user's scores do not depend on the batch.
    std::vector<float> scores(size_t(B * padded));
#if defined(__AVX512F__)
    int64_t j = n - n % 16;
    score_few(B, U.data, d, V.data, j, scores.data(), padded);
    for (; j < n; ++j) {
      for (int64_t b = 0; b < B; ++b) {
        float acc = 0.0f;
        for (int64_t c = 0; c < d; ++c) acc = std::fma(U.data[b * d + c], V.data[j * d + c], acc);
        scores[size_t(b * padded + j)] = acc;
      }
    }
#else
    parallel_for(blocks, 4, [&](int64_t begin, int64_t end, int) {
      std::vector<float> tile(size_t(d * kItemBlock), 0.0f);
      for (int64_t blk = begin; blk < end; ++blk) {
        const int64_t j0 = blk * kItemBlock, j1 = std::min(n, j0 + kItemBlock);
        if (j1 - j0 < kItemBlock) std::fill(tile.begin(), tile.end(), 0.0f);
        pack_block(V.data, d, j0, j1, tile.data());
        for (int64_t b = 0; b < B; ++b) score_row(U.data + b * d, d, tile.data(), scores.data() + b * padded + blk * kItemBlock);
      }
    });
#endif
    TopK top;
    for (int64_t b = 0; b < B; ++b) {
      float* s = scores.data() + b * padded;
      if (has_bias) for (int64_t jj = 0; jj < n; ++jj) s[jj] = s[jj] + bias.data[jj];
      top.select(s, n, mask.data + indptr[b], mask.data + indptr[b + 1], k, out_idx.data + b * k, out_score.data + b * k);
    }
    return env.Undefined();
  }

  // Pack V into [block][d][kItemBlock], zero-padded past n (and the bias into [block][kItemBlock]).
  std::vector<float> packed(size_t(blocks * d * kItemBlock), 0.0f);
  std::vector<float> packed_bias(has_bias ? size_t(padded) : 0, 0.0f);
  if (has_bias) std::copy(bias.data, bias.data + n, packed_bias.begin());
  parallel_for(blocks, 4, [&](int64_t begin, int64_t end, int) {
    for (int64_t blk = begin; blk < end; ++blk) {
      pack_block(V.data, d, blk * kItemBlock, std::min(n, (blk + 1) * kItemBlock), packed.data() + blk * d * kItemBlock);
    }
  });

  const int64_t groups = (B + kUserGroup - 1) / kUserGroup;
  std::atomic<int64_t> next_group{0};
  const auto work = [&](int, int) {
    std::vector<float> scores(static_cast<size_t>(kUserGroup * padded));
    TopK top;
    for (int64_t grp = next_group++; grp < groups; grp = next_group++) {
      const int64_t b0 = grp * kUserGroup, b1 = std::min(B, b0 + kUserGroup);
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const float* vt = packed.data() + blk * d * kItemBlock;
        bool scored = false;
#if defined(__AVX512F__)
        if (b1 - b0 == kUserGroup) {
          score_group16(U.data + b0 * d, d, vt, scores.data() + blk * kItemBlock, padded);
          scored = true;
        }
#endif
        for (int64_t b = b0; b < b1 && !scored; ++b) score_row(U.data + b * d, d, vt, scores.data() + (b - b0) * padded + blk * kItemBlock);
        if (has_bias) {
          // After the dot products are complete in f32, as the reference's f32(f32(dot) + b).
          const float* __restrict bb = packed_bias.data() + blk * kItemBlock;
          for (int64_t b = b0; b < b1; ++b) {
            float* __restrict s = scores.data() + (b - b0) * padded + blk * kItemBlock;
            for (int64_t j = 0; j < kItemBlock; ++j) s[j] = s[j] + bb[j];
          }
        }
      }
      for (int64_t b = b0; b < b1; ++b) {
        top.select(scores.data() + (b - b0) * padded, n, mask.data + indptr[b], mask.data + indptr[b + 1], k, out_idx.data + b * k,
                    out_score.data + b * k);
      }
    }
  };
  if (groups <= 1 || ThreadPool::instance().size() == 1) {
    work(0, 1);
  } else {
    ThreadPool::instance().run(work);
  }
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(rank_topk);
