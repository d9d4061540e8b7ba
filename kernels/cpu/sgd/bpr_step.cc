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
// Numerics: each triple exactly as the reference computes it — x summed
// sequentially in f64 over f32 values widened, g = 1/(1 + eˣ) with Math.exp's
// own algorithm (common/js_exp.h), the three row updates in f64 and rounded to
// f32 on store, no FMA contraction — so the rows equal the js reference bit for
// bit. The loss terms use the C library's log1p (V8's may differ by an f64
// ulp), summed in f64 in batch order (deterministic) or per thread (Hogwild).
// Threading, two variants (attribute `hogwild`):
// - deterministic (default): common/row_order.h — a triple waits for the last
//   earlier triple that touched its user row or either item row, so every row
//   gets its updates in batch order: bit-identical to the reference at any
//   REC_THREADS, scheduling and load. Cost: one sequential hash pass over the
//   3b row keys (overlapped with the first chunks) and waits on real conflicts.
// - Hogwild (Recht et al. 2011; word2vec does the same): triples claimed in
//   contiguous chunks of 64 by whichever pool workers are awake
//   (parallel_chunks), rows updated without locks; concurrent updates of a
//   shared row may interleave, so with more than one thread the result depends
//   on timing. With one thread both variants run the triples in order.
// Memory: per triple three d-float rows are read and written; rows of triple
// t + 8 are prefetched (within the thread's chunk), so the loop runs near the random-row
// gather+scatter bound.
#include <cmath>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/js_exp.h"
#include "../common/row_order.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kPrefetchDistance = 8;
/** Triples per chunk claimed by a thread when Hogwild runs on more than one. */
constexpr int64_t kTripleChunk = 64;
/**
 * Triples per chunk in the deterministic schedule: 64 keeps the two threads' done flags and
 * loss terms on separate cache lines (16 cost 1.5× Hogwild on 2 threads, 64 about 1.1×); a
 * triple that depends on another thread's chunk waits only until that triple is done.
 */
constexpr int64_t kOrderedChunk = 64;


/** softplus(z) in the reference's stable form. */
inline double softplus(double z) { return z > 0 ? z + std::log1p(js_exp(-z)) : std::log1p(js_exp(z)); }

/**
 * One triple, the reference's arithmetic operation for operation (see the
 * header); returns its loss term. Rows may coincide (i = j, or P and Q one
 * buffer): each element's three old values are read before any store, and
 * q_j's store is the last, as in the reference.
 */
inline double bpr_triple(float* pu, float* qi, float* qj, int64_t d, double lr, double reg) {
  double x = 0;
  for (int64_t c = 0; c < d; ++c) x += double(pu[c]) * (double(qi[c]) - double(qj[c]));
  const double g = 1 / (1 + js_exp(x));
  for (int64_t c = 0; c < d; ++c) {
    const double p = pu[c], a = qi[c], b = qj[c];
    pu[c] = float(p + lr * (g * (a - b) - reg * p));
    qi[c] = float(a + lr * (g * p - reg * a));
    qj[c] = float(b + lr * (-g * p - reg * b));
  }
  return softplus(-x);
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

  const bool hogwild = info.Length() > 8 && info[8].ToBoolean().Value();

  const int64_t n = int64_t(users.size);
  float* const Pd = P.data;
  float* const Qd = Q.data;
  // One triple's update, prefetching the rows of the triple kPrefetchDistance ahead in
  // the same run [t, end): the body of both schedules below.
  const auto step = [&](int64_t t, int64_t end) -> double {
    if (t + kPrefetchDistance < end) {
      const int64_t f = t + kPrefetchDistance;
      prefetch_row(Pd + int64_t(users[f]) * d, d);
      prefetch_row(Qd + int64_t(pos[f]) * d, d);
      prefetch_row(Qd + int64_t(neg[f]) * d, d);
    }
    return bpr_triple(Pd + int64_t(users[t]) * d, Qd + int64_t(pos[t]) * d, Qd + int64_t(neg[t]) * d, d, lr, reg);
  };
  if (!hogwild) {
    // P and Q views of one buffer (rows of the two could overlap at any offset): run in order.
    const bool shared = Pd < Qd + Q.size && Qd < Pd + P.size;
    std::vector<double> terms(static_cast<size_t>(n));
    run_in_row_order(
        n, 3, kOrderedChunk, shared ? n + 1 : 2 * kOrderedChunk,
        [&](int64_t t, auto&& emit) {
          emit(row_key(0, users[t]));
          emit(row_key(1, pos[t]));
          emit(row_key(1, neg[t]));
        },
        [&](int64_t t, int64_t end, int) { terms[size_t(t)] = step(t, end); });
    double total = 0;
    for (double l : terms) total += l;
    return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
  }
  std::vector<double> partial(size_t(ThreadPool::instance().size()), 0.0);
  parallel_chunks(n, kTripleChunk, 2 * kTripleChunk, [&](int64_t begin, int64_t end, int tid) {
    double loss = 0;
    for (int64_t t = begin; t < end; ++t) loss += step(t, end);
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec
