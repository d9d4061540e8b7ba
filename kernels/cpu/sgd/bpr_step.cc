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
// Numerics: each triple in f64 (the dot product with eight partial sums, so it
// vectorises; the reference sums sequentially — they agree to ~1e-15 in x),
// rows rounded to f32 on store; loss summed in f64, softplus in its stable form.
// Threading: Hogwild (Recht et al. 2011; word2vec does the same): triples split
// in contiguous slices over the pool, rows updated without locks, so with more
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

inline void prefetch_row(const float* row, int64_t d) {
  for (int64_t c = 0; c < d; c += 16) __builtin_prefetch(row + c, 1, 3);
}

inline double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

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
  parallel_for(n, 64, [&](int64_t begin, int64_t end, int tid) {
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
      double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      int64_t c = 0;
      for (; c + 8 <= d; c += 8) {
        for (int l = 0; l < 8; ++l) acc[l] += double(pu[c + l]) * (double(qi[c + l]) - double(qj[c + l]));
      }
      for (; c < d; ++c) acc[0] += double(pu[c]) * (double(qi[c]) - double(qj[c]));
      const double x = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
      const double g = 1.0 / (1.0 + std::exp(x));
      loss += softplus(-x);
      for (c = 0; c < d; ++c) {
        const double p = pu[c], a = qi[c], b = qj[c];
        pu[c] = float(p + lr * (g * (a - b) - reg * p));
        qi[c] = float(a + lr * (g * p - reg * a));
        qj[c] = float(b + lr * (-g * p - reg * b));
      }
    }
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec
