// `bpr_step`: one fused LearnBPR pass over a batch of (u, i, j) triples, in
// place on the user table P and the item table Q (Rendle, Freudenthaler,
// Gantner & Schmidt-Thieme 2009, "BPR: Bayesian Personalized Ranking from
// Implicit Feedback", UAI, §4.3 Fig. 4 with the MF model of §5.1).
// Reference and full contract: packages/core/src/kernels/sgd/bpr_step.ts.
//
//   for each triple (u, i, j), in order:
//     x = ⟨p_u, q_i − q_j⟩,  g = σ(−x) = 1 / (1 + eˣ)
//     p_u ← p_u + lr·(g·(q_i − q_j) − λ·p_u)
//     q_i ← q_i + lr·(g·p_u_old − λ·q_i)
//     q_j ← q_j + lr·(−g·p_u_old − λ·q_j)
//   returns mean over triples of −ln σ(x) = softplus(−x)   (x before the update)
//
// Layouts: P f32 [users·d], Q f32 [items·d], users/pos/neg i32 [b].
// Numerics: row arithmetic in f32 (the dot product with eight-lane partial sums
// and the three row updates vectorise 8-wide with AVX2; the reference works in
// f64 and rounds on store — x agrees to ~1e-7 relative, rows to a few f32 ulps,
// inside the 1e-5 parity tolerance); g and the loss in f64 from one exp per
// triple (σ(−x) and softplus(−x) share e^{−|x|}); loss summed in f64.
// Threading: Hogwild (Recht et al. 2011; word2vec does the same): triples
// claimed in contiguous chunks of 64 by the caller and whichever pool workers
// are awake (parallel_chunks), rows updated without locks, so with more
// than one thread concurrent updates of a shared row may interleave and the
// result depends on timing. With one thread (REC_THREADS=1 or setThreads(1))
// the triples run in order and the result equals the reference's.
// Memory: per triple three d-float rows are read and written; rows of triple
// t + 8 are prefetched, so the loop runs near the random-row gather+scatter bound.
#include <cmath>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kPrefetchDistance = 8;
/** Triples per chunk claimed by a thread when Hogwild runs on more than one. */
constexpr int64_t kTripleChunk = 64;

inline void prefetch_row(const float* row, int64_t d) {
  for (int64_t c = 0; c < d; c += 16) __builtin_prefetch(row + c, 1, 3);
}

constexpr int kLanes = 8;

/** ⟨p, a − b⟩ in f32 with kLanes partial sums (vectorises without reassociation flags). */
inline float dot_diff(const float* __restrict p, const float* a, const float* b, int64_t d) {
  float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    for (int l = 0; l < kLanes; ++l) acc[l] += p[c + l] * (a[c + l] - b[c + l]);
  }
  for (; c < d; ++c) acc[0] += p[c] * (a[c] - b[c]);
  return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/**
 * The three row updates, for three distinct rows (restrict: vectorised without
 * alias checks). When rows coincide (i = j, or P and Q one buffer) the caller
 * takes update_rows_aliased instead.
 */
inline void update_rows_distinct(float* __restrict pu, float* __restrict qi, float* __restrict qj, int64_t d, float g, float lr, float reg) {
  for (int64_t c = 0; c < d; ++c) {
    const float p = pu[c], a = qi[c], b = qj[c];
    pu[c] = p + lr * (g * (a - b) - reg * p);
    qi[c] = a + lr * (g * p - reg * a);
    qj[c] = b + lr * (-g * p - reg * b);
  }
}

/** Element by element, each element's three old values read before any store (q_j's store wins when i = j). */
inline void update_rows_aliased(float* pu, float* qi, float* qj, int64_t d, float g, float lr, float reg) {
  for (int64_t c = 0; c < d; ++c) {
    const float p = pu[c], a = qi[c], b = qj[c];
    pu[c] = p + lr * (g * (a - b) - reg * p);
    qi[c] = a + lr * (g * p - reg * a);
    qj[c] = b + lr * (-g * p - reg * b);
  }
}

}  // namespace

Napi::Value bpr_step(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bpr_step";
  const Napi::Env env = info.Env();
  const Span<float> P = array_arg<float>(info, 0, K, "userFactors");
  const Span<float> Q = array_arg<float>(info, 1, K, "itemFactors");
  const int64_t d = int_arg(info, 2, K, "dim", 1, 1 << 20);
  const Span<int32_t> users = array_arg<int32_t>(info, 3, K, "users");
  const Span<int32_t> pos = array_arg<int32_t>(info, 4, K, "positives", int64_t(users.size));
  const Span<int32_t> neg = array_arg<int32_t>(info, 5, K, "negatives", int64_t(users.size));
  const double lr = number_arg(info, 6, K, "lr");
  const double reg = number_arg(info, 7, K, "reg");
  if (P.size % size_t(d) != 0 || Q.size % size_t(d) != 0) fail(env, "bpr_step: factor tables are not whole rows of the given dim");
  check_ids(env, users, int64_t(P.size) / d, K, "user");
  check_ids(env, pos, int64_t(Q.size) / d, K, "positive item");
  check_ids(env, neg, int64_t(Q.size) / d, K, "negative item");

  const int64_t n = int64_t(users.size);
  std::vector<double> partial(size_t(ThreadPool::instance().size()), 0.0);
  const float lr_f = float(lr), reg_f = float(reg);
  parallel_chunks(n, kTripleChunk, 2 * kTripleChunk, [&](int64_t begin, int64_t end, int tid) {
    double loss = 0;
    for (int64_t t = begin; t < end; ++t) {
      if (t + kPrefetchDistance < end) {
        const int64_t f = t + kPrefetchDistance;
        prefetch_row(P.data + int64_t(users[f]) * d, d);
        prefetch_row(Q.data + int64_t(pos[f]) * d, d);
        prefetch_row(Q.data + int64_t(neg[f]) * d, d);
      }
      float* pu = P.data + int64_t(users[t]) * d;
      float* qi = Q.data + int64_t(pos[t]) * d;
      float* qj = Q.data + int64_t(neg[t]) * d;
      const double x = double(dot_diff(pu, qi, qj, d));
      // e = e^{−|x|} ∈ (0, 1]: g = σ(−x) = 1/(1 + eˣ), loss term softplus(−x) = max(−x, 0) + ln(1 + e).
      const double e = std::exp(-std::fabs(x));
      const double g = x > 0 ? e / (1 + e) : 1 / (1 + e);
      loss += (x > 0 ? 0.0 : -x) + std::log1p(e);
      if (qi != qj && pu != qi && pu != qj) update_rows_distinct(pu, qi, qj, d, float(g), lr_f, reg_f);
      else update_rows_aliased(pu, qi, qj, d, float(g), lr_f, reg_f);
    }
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec
