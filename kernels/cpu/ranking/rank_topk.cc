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
// mask and keeps a K-entry binary min-heap (worst at the root; one compare per
// item once full).
// Numerics: f32 accumulation over d in order k = 0..d−1 (FMA-contracted); the
// reference sums in f64 and rounds to f32, so scores agree to f32 rounding and
// indices agree exactly whenever scores are exactly representable (the parity
// tests use such inputs, with and without ties). NaN scores are unspecified
// here (the reference throws).
// Threading: groups of users handed out dynamically over the pool; each thread
// owns its scores and heap; output rows are disjoint, so the result does not
// depend on the thread count.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <limits>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kItemBlock = 256;
constexpr int64_t kUserGroup = 8;

/** `a` ranks below `b`: lower score, or equal score and higher index. */
inline bool worse(float sa, int32_t ia, float sb, int32_t ib) { return sa < sb || (sa == sb && ia > ib); }

struct TopK {
  std::vector<float> score;
  std::vector<int32_t> index;
  int64_t size = 0;

  void sift_down(int64_t at) {
    const float s = score[at];
    const int32_t i = index[at];
    for (;;) {
      const int64_t left = 2 * at + 1;
      if (left >= size) break;
      int64_t child = left;
      if (left + 1 < size && worse(score[left + 1], index[left + 1], score[left], index[left])) child = left + 1;
      if (!worse(score[child], index[child], s, i)) break;
      score[at] = score[child];
      index[at] = index[child];
      at = child;
    }
    score[at] = s;
    index[at] = i;
  }

  /** Keeps the best `capacity` of `scores` over items not in the sorted mask [mlo, mhi). */
  void select(const float* scores, int64_t n, const int32_t* mlo, const int32_t* mhi, int64_t capacity, int32_t* out_idx, float* out_score) {
    size = 0;
    for (int64_t j = 0; j < n; ++j) {
      if (mlo < mhi && *mlo == j) {
        ++mlo;
        continue;
      }
      const float s = scores[j];
      if (size < capacity) {
        int64_t at = size++;
        while (at > 0) {
          const int64_t parent = (at - 1) >> 1;
          if (!worse(s, int32_t(j), score[parent], index[parent])) break;
          score[at] = score[parent];
          index[at] = index[parent];
          at = parent;
        }
        score[at] = s;
        index[at] = int32_t(j);
      } else if (s > score[0]) {
        // Items arrive ascending: an equal score loses the tie on index.
        score[0] = s;
        index[0] = int32_t(j);
        sift_down(0);
      }
    }
    for (int64_t o = capacity - 1; o >= size; --o) {
      out_idx[o] = -1;
      out_score[o] = -std::numeric_limits<float>::infinity();
    }
    for (int64_t o = size - 1; o >= 0; --o) {
      out_idx[o] = index[0];
      out_score[o] = score[0];
      --size;
      if (size > 0) {
        score[0] = score[size];
        index[0] = index[size];
        sift_down(0);
      }
    }
  }
};

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

  // Pack V into [block][d][kItemBlock], zero-padded past n (and the bias into [block][kItemBlock]).
  const int64_t blocks = (n + kItemBlock - 1) / kItemBlock;
  const int64_t padded = blocks * kItemBlock;
  std::vector<float> packed(size_t(blocks * d * kItemBlock), 0.0f);
  std::vector<float> packed_bias(has_bias ? size_t(padded) : 0, 0.0f);
  if (has_bias) std::copy(bias.data, bias.data + n, packed_bias.begin());
  parallel_for(blocks, 4, [&](int64_t begin, int64_t end, int) {
    for (int64_t blk = begin; blk < end; ++blk) {
      float* dst = packed.data() + blk * d * kItemBlock;
      const int64_t j0 = blk * kItemBlock, j1 = std::min(n, j0 + kItemBlock);
      for (int64_t j = j0; j < j1; ++j) {
        const float* row = V.data + j * d;
        for (int64_t c = 0; c < d; ++c) dst[c * kItemBlock + (j - j0)] = row[c];
      }
    }
  });

  const int64_t groups = (B + kUserGroup - 1) / kUserGroup;
  std::atomic<int64_t> next_group{0};
  const auto work = [&](int, int) {
    std::vector<float> scores(static_cast<size_t>(kUserGroup * padded));
    TopK heap;
    heap.score.resize(size_t(k));
    heap.index.resize(size_t(k));
    for (int64_t grp = next_group++; grp < groups; grp = next_group++) {
      const int64_t b0 = grp * kUserGroup, b1 = std::min(B, b0 + kUserGroup);
      for (int64_t blk = 0; blk < blocks; ++blk) {
        const float* vt = packed.data() + blk * d * kItemBlock;
        for (int64_t b = b0; b < b1; ++b) {
          float* __restrict s = scores.data() + (b - b0) * padded + blk * kItemBlock;
          const float* u = U.data + b * d;
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
          if (has_bias) {
            // After the dot product is complete in f32, as the reference's f32(f32(dot) + b).
            const float* __restrict bb = packed_bias.data() + blk * kItemBlock;
            for (int64_t j = 0; j < kItemBlock; ++j) s[j] = s[j] + bb[j];
          }
        }
      }
      for (int64_t b = b0; b < b1; ++b) {
        heap.select(scores.data() + (b - b0) * padded, n, mask.data + indptr[b], mask.data + indptr[b + 1], k, out_idx.data + b * k,
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
