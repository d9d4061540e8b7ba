// `bpr_step`: one fused LearnBPR pass over a batch of (u, i, j) triples, in
// place on the user table P and the item table Q (Rendle, Freudenthaler,
// Gantner & Schmidt-Thieme 2009, "BPR: Bayesian Personalized Ranking from
// Implicit Feedback", UAI, §4.3 Fig. 4 with the MF model of §5.1).
// Reference and full contract: packages/core/src/kernels/sgd/bpr_step.ts.
// `bpr_sample_step` (at the end) draws each triple's negative first, by
// neg_sample_exclude's recipe (common/exclude_draws.h), then runs the 5-input
// step; contract: packages/core/src/kernels/sgd/bpr_sample_step.ts.
//
//   for each triple (u, i, j), in order:
//     x = ⟨p_u, q_i − q_j⟩,  g = σ(−x) = 1 / (1 + eˣ)
//     p_u ← p_u + lr·(g·(q_i − q_j) − λ·p_u)
//     q_i ← q_i + lr·(g·p_u_old − λ·q_i)
//     q_j ← q_j + lr·(−g·p_u_old − λ·q_j)
//   returns mean over triples of −ln σ(x) = softplus(−x)   (x before the update)
//
// With categories (MRLR's multi-level item vector, Sun et al., §3.4 Eq. 7 in the
// ranking term Eq. 6): C_i = extraIndices[extraIndptr[i] … extraIndptr[i+1]),
// m_i = β / |C_i|, q̃_i = q_i + m_i·Σ_{l∈C_i} x_l (q_i when C_i is empty);
// x = ⟨p_u, q̃_i − q̃_j⟩; p_u moves by g·(q̃_i − q̃_j), q_i and q_j as above; then
// x_l += lr·(g·m_i·p_u_old − λ·x_l) for l in C_i, in list order, and
// x_l += lr·(−g·m_j·p_u_old − λ·x_l) for l in C_j (each reading the current x_l).
//
// Layouts: P f32 [users·d], Q f32 [items·d], users/pos/neg i32 [b]; with
// categories X f32 [Rx·d], extraIndptr i32 [items + 1], extraIndices i32 [nnz].
// Variants: with or without categories; the 5-input triple is the one below
// (bpr_triple), untouched by the category path; with categories, `parts`
// (argument 13; see Threading; ignored without categories or under Hogwild).
// Numerics: each triple exactly as the reference computes it, in f32
// (common/exact_f32.h) — x in the fixed eight-lane order (Σ x_l per column from
// 0 in list order, then ·m, then + q), g = σ(−x) from z = e^−|x| by Cephes' expf
// (a fixed sequence of f32 operations), s = lr·g, and each row update in the
// algebraically equal form θ ← (1 − lr·λ)·θ + s·∂x/∂θ (∂ = q̃_i − q̃_j, ±p_u_old,
// ±m·p_u_old), no FMA contraction — so the rows equal the js reference bit for
// bit while the loop runs as 8-wide vectors (the f64 sequential sum and
// Math.exp's algorithm it replaced ran at about a third of the rate). The
// loss terms max(−x, 0) + log1p_unit(z) (f32 parts) are summed in f64 in batch
// order (deterministic) or per thread (Hogwild).
// Threading, two variants (attribute `hogwild`):
// - deterministic (default): common/row_order.h — a triple waits for the last
//   earlier triple that touched its user row, either item row or a category
//   row of either item, so every row gets its updates in batch order:
//   bit-identical to the reference at any REC_THREADS, scheduling and load.
//   Cost: one sequential hash pass over the 3b row keys (plus |C_i| + |C_j|
//   per triple; overlapped with the first chunks) and waits on real conflicts.
//   Whether a batch uses the pool at all is timed per path (OrderedChoice in
//   row_order.h: pool or the caller alone, the same bits either way).
//   With categories and `parts` = P ≥ 2 (the caller passes its thread count):
//   the few hot category rows chain nearly every triple to the one before, so
//   instead triple t reads and writes part ⌊t/64⌋ mod P's own copy of the
//   category rows, taken at the call's start, and only p_u, q_i and q_j order
//   the triples; the parts run in parallel, part p on thread p mod T
//   (run_in_part_order), and the copies are merged into X at the end
//   (common/part_copies.h: X_r = S_q,r for the lowest part q that wrote r, plus
//   Σ (S_p,r − X_r) over the later parts that wrote r, in f32, parts ascending). The result depends on P,
//   never on the thread count or timing: bit-identical to the reference with the
//   same `parts`; P = 1 is the path above. Each part checks its own triples'
//   category lists (before any write; an invalid list gets the serial check's
//   error). Cost on the 2-vCPU VM it was measured on (apps/bench, 10,000
//   categories, parts 2): 1.4–1.65× Hogwild at 2 threads, no better there than
//   the path above (1.3–1.6× through runKernel; 1.33–1.39× against 1.50–1.57× in
//   back-to-back addon calls): its two vCPUs differ 1.5× in memory latency,
//   which a static split cannot even out, and a cache line moving between them
//   costs ~250 ns. On MRLR's own batches (bench:mrlr-threads, Toys' 1,027
//   categories, d = 10) the fused step with parts 2 takes 0.78–0.93× Hogwild's time.
// - lanes (argument 14 of bpr_step, 15 of bpr_sample_step; the 5-input path, not
//   Hogwild): L ≥ 2 runs the batch in core's lane-strata order
//   (common/lane_strata.h): strata of L lanes that touch disjoint user and item
//   rows, a stratum's lanes at once on the pool (claimed in order; a lane waits
//   only for the two lanes that held its item blocks in the stratum before), so
//   no triple waits on another's row. Bit-identical to the reference with the
//   same `lanes`, at any thread count; the caller passes its thread count. Pool
//   or caller alone is timed as above (the same bits). Cost on the 2-vCPU VM
//   (apps/bench README, "Lanes"), 2 lanes at 2 threads: 0.88–1.39× Hogwild's
//   time (medians 1.31 uniform, 1.07 popular head), where batch order took
//   0.84–1.64× (1.47, 1.18).
// - Hogwild (Recht et al. 2011; word2vec does the same): triples claimed in
//   contiguous chunks of 64 by whichever pool workers are awake
//   (parallel_chunks), rows updated without locks; concurrent updates of a
//   shared row may interleave, so with more than one thread the result depends
//   on timing. With one thread both variants run the triples in order.
// Memory: per triple three d-float rows (plus the category rows) are read and
// written; rows of triple t + 8 (its category rows included) are prefetched
// (within the thread's chunk), so the loop runs near the random-row
// gather+scatter bound.
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "../addon.h"
#include "../common/exact_f32.h"  // first: its FMA-contraction pragma must precede fast_exp.h
#include "../common/checks.h"
#include "../common/exclude_draws.h"
#include "../common/lane_strata.h"
#include "../common/part_copies.h"
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


/** The step's factors, rounded to f32 once per call: lr and decay = 1 − lr·λ (from f64). */
struct BprFactors {
  float lr;
  float decay;
};

inline BprFactors bpr_factors(double lr, double reg) { return BprFactors{float(lr), float(1 - lr * reg)}; }

/**
 * One triple, the reference's arithmetic operation for operation (see the header); returns
 * its loss term. The dot product runs in the fixed eight-lane order (common/exact_f32.h); the
 * updates are element-wise loops, which GCC vectorises behind a run-time overlap check, so
 * rows that coincide (i = j, or P and Q one buffer) get the reference's per-element order:
 * each element's three old values are read before any store, q_j's store last.
 */
inline double bpr_triple(float* pu, float* qi, float* qj, int64_t d, const BprFactors f) {
  const float x = dot_diff8(pu, qi, qj, d);
  const LogisticParts g = logistic_parts(x);
  const float s = f.lr * g.sigma_neg;
  const float decay = f.decay;
  for (int64_t c = 0; c < d; ++c) {
    const float p = pu[c], a = qi[c], b = qj[c];
    const float sp = s * p;
    pu[c] = decay * p + s * (a - b);
    qi[c] = decay * a + sp;
    qj[c] = decay * b - sp;
  }
  return g.softplus_neg;
}

/** The category rows X [Rx·d], the items' category lists in CSR form and β. */
struct ItemCategories {
  float* X = nullptr;
  const int32_t* indptr = nullptr;
  const int32_t* indices = nullptr;
  double beta = 0;
};

/**
 * One triple with categories, the reference's arithmetic operation for operation (see the
 * header); scratch holds 3·d floats (q̃_i, q̃_j, p_u_old). `rows` reads and writes the
 * category rows: SharedRows (X in place) or, with `parts`, the triple's part's PartRows
 * (common/part_copies.h). Returns its loss term.
 */
template <typename CategoryRows>
inline double bpr_triple_categories(float* pu, float* qi, float* qj, int32_t i, int32_t j, const ItemCategories& cat, const CategoryRows& rows, int64_t d,
                                    const BprFactors f, float* scratch) {
  float* ti = scratch;
  float* tj = ti + d;
  float* p_old = tj + d;
  const float mi = rows.vector(ti, qi, cat.indices, cat.indptr[i], cat.indptr[i + 1], cat.beta, d);
  const float mj = rows.vector(tj, qj, cat.indices, cat.indptr[j], cat.indptr[j + 1], cat.beta, d);
  for (int64_t c = 0; c < d; ++c) p_old[c] = pu[c];
  const float x = dot_diff8(p_old, ti, tj, d);
  const LogisticParts g = logistic_parts(x);
  const float s = f.lr * g.sigma_neg;
  const float decay = f.decay;
  for (int64_t c = 0; c < d; ++c) {
    const float p = p_old[c], a = qi[c], b = qj[c];
    const float sp = s * p;
    pu[c] = decay * p + s * (ti[c] - tj[c]);
    qi[c] = decay * a + sp;
    qj[c] = decay * b - sp;
  }
  rows.update(cat.indices, cat.indptr[i], cat.indptr[i + 1], p_old, s * mi, decay, d);
  rows.update(cat.indices, cat.indptr[j], cat.indptr[j + 1], p_old, -(s * mj), decay, d);
  return g.softplus_neg;
}

/**
 * Runs step(t, end, tid) for every triple of [0, n) in one of the two schedules and returns
 * the summed loss. keys_of(t, emit) names triple t's row keys, `total_keys` bounds them over
 * the batch; `in_series` when the tables share memory (rows could overlap at any offset).
 */
template <typename KeysOf, typename Step>
double run_triples(int64_t n, bool hogwild, int64_t total_keys, bool in_series, OrderedChoice& choice, KeysOf&& keys_of, Step&& step) {
  if (!hogwild) {
    std::vector<double>& terms = item_terms(n);
    run_in_row_order(n, total_keys, kOrderedChunk, in_series ? n + 1 : 2 * kOrderedChunk, choice, keys_of,
                     [&](int64_t t, int64_t end, int tid) { terms[size_t(t)] = step(t, end, tid); });
    return sum_in_order(terms, n);
  }
  std::vector<double> partial(size_t(ThreadPool::instance().size()), 0.0);
  parallel_chunks(n, kTripleChunk, 2 * kTripleChunk, [&](int64_t begin, int64_t end, int tid) {
    double loss = 0;
    for (int64_t t = begin; t < end; ++t) loss += step(t, end, tid);
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return total;
}

/** Prefetches (for writing) the rows p_u, q_i and q_j of triple t. */
inline void prefetch_triple(const float* P, const float* Q, int64_t d, const int32_t* users, const int32_t* pos, const int32_t* neg, int64_t t) {
  prefetch_row(P + int64_t(users[t]) * d, d);
  prefetch_row(Q + int64_t(pos[t]) * d, d);
  prefetch_row(Q + int64_t(neg[t]) * d, d);
}

/**
 * The 5-input batch (no categories) in one of the three schedules — Hogwild, lanes ≥ 2
 * (common/lane_strata.h) or the row-ordered one; returns the summed loss.
 */
double run_plain(float* Pd, float* Qd, int64_t d, const int32_t* users, const int32_t* pos, const int32_t* neg, int64_t n, double lr, double reg,
                 bool hogwild, bool shared, int lanes) {
  const BprFactors f = bpr_factors(lr, reg);
  if (!hogwild && lanes > 1) {
    // Each task writes its loss terms to its own slots of the serial order (scattered into batch
    // order, the lanes' triples would share the terms' cache lines between the threads), put back
    // in batch order afterwards for the sum.
    thread_local std::vector<double> by_slot;
    if (by_slot.size() < size_t(n)) by_slot.resize(size_t(n));
    double* const slots = by_slot.data();
    std::vector<double>& terms = item_terms(n);
    thread_local OrderedChoice lanes_choice;  // the lanes' pool-or-caller timing
    const int32_t* const order = run_in_lanes(
        n, lanes, shared, 2 * kOrderedChunk, lanes_choice,
        [&](int64_t t, int& l, int& a, int& b) {
          l = lane_block(users[t], lanes);
          a = lane_block(pos[t], 2 * lanes);
          b = lane_block(neg[t], 2 * lanes);
        },
        [&](const int32_t* task, int64_t slot, int64_t count, int) {
          for (int64_t k = 0; k < count; ++k) {
            if (k + kPrefetchDistance < count) prefetch_triple(Pd, Qd, d, users, pos, neg, task[k + kPrefetchDistance]);
            const int64_t t = task[k];
            slots[slot + k] = bpr_triple(Pd + int64_t(users[t]) * d, Qd + int64_t(pos[t]) * d, Qd + int64_t(neg[t]) * d, d, f);
          }
        });
    for (int64_t k = 0; k < n; ++k) terms[size_t(order[k])] = slots[k];
    return sum_in_order(terms, n);
  }
  // One triple's update, prefetching the rows of the triple kPrefetchDistance ahead in the
  // same run [t, end): the body of both schedules.
  thread_local OrderedChoice choice;  // the 5-input batches' pool-or-caller timing (run_in_row_order)
  return run_triples(
      n, hogwild, 3 * n, shared, choice,
      [&](int64_t t, auto&& emit) {
        emit(row_key(0, users[t]));
        emit(row_key(1, pos[t]));
        emit(row_key(1, neg[t]));
      },
      [&](int64_t t, int64_t end, int) {
        if (t + kPrefetchDistance < end) prefetch_triple(Pd, Qd, d, users, pos, neg, t + kPrefetchDistance);
        return bpr_triple(Pd + int64_t(users[t]) * d, Qd + int64_t(pos[t]) * d, Qd + int64_t(neg[t]) * d, d, f);
      });
}

/**
 * The category batch with `parts` ≥ 2, not Hogwild (common/part_copies.h): triple t reads and
 * writes part ⌊t/64⌋ mod parts' copy of the category rows, p_u, q_i and q_j stay shared and get
 * their updates in batch order (run_in_part_order: only their keys order the triples), and the
 * copies are merged into X. Each part first checks its triples' category lists (nnz entries in
 * extraIndices, Rx rows) and plans them on its own thread; an invalid list stops the call before
 * any write: returns false. Else adds the loss terms, in batch order, to `total`.
 */
bool run_categories_in_parts(float* Pd, float* Qd, int64_t d, const int32_t* users, const int32_t* pos, const int32_t* neg, int64_t n,
                             const ItemCategories& cat, int64_t nnz, int64_t rx, int parts, const BprFactors f, bool shared, bool copy_all,
                             std::vector<std::vector<float>>& scratch, double& total) {
  CategoryParts& split = CategoryParts::for_this_thread();
  split.begin(cat.X, rx, d, parts, copy_all);
  std::vector<double>& terms = item_terms(n);
  const bool ok = run_in_part_order(
      n, parts, 3 * n, shared ? n + 1 : 2 * kPartChunk,
      [&](int64_t t, auto&& emit) {
        emit(row_key(0, users[t]));
        emit(row_key(1, pos[t]));
        emit(row_key(1, neg[t]));
      },
      [&](int part) {
        split.begin_plan(part);
        for (int64_t b = int64_t(part) * kPartChunk; b < n; b += int64_t(parts) * kPartChunk) {
          const int64_t e = std::min(n, b + kPartChunk);
          for (int64_t t = b; t < e; ++t) {
            // The lists are random reads of two large arrays, each behind the other: fetch
            // triple t + 16's offsets and triple t + 8's list ahead.
            if (t + 16 < e) {
              prefetch_read(cat.indptr + pos[t + 16]);
              prefetch_read(cat.indptr + neg[t + 16]);
            }
            if (t + 8 < e) {
              prefetch_read(cat.indices + cat.indptr[pos[t + 8]]);
              prefetch_read(cat.indices + cat.indptr[neg[t + 8]]);
            }
            for (const int32_t item : {pos[t], neg[t]}) {
              if (!split.plan_list(part, cat.indptr, cat.indices, item, nnz)) return false;
            }
          }
        }
        return true;
      },
      [&](int64_t t, int64_t end, int tid, int part) {
        const PartRows rows = split.rows(part);
        if (t + kPrefetchDistance < end) {
          const int64_t ahead = t + kPrefetchDistance;
          prefetch_triple(Pd, Qd, d, users, pos, neg, ahead);
          for (const int32_t item : {pos[ahead], neg[ahead]}) rows.prefetch(cat.indices, cat.indptr[item], cat.indptr[item + 1]);
        }
        const int32_t i = pos[t], j = neg[t];
        terms[size_t(t)] = bpr_triple_categories(Pd + int64_t(users[t]) * d, Qd + int64_t(i) * d, Qd + int64_t(j) * d, i, j, cat, rows, d, f,
                                                 scratch[size_t(tid)].data());
      },
      [&](int part) { split.merge(part); });
  if (!ok) return false;
  total += sum_in_order(terms, n);
  return true;
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
  const int64_t items = int64_t(Q.size) / d;
  check_ids(env, users, int64_t(P.size) / d, K, "user");
  check_ids(env, pos, items, K, "positive item");
  check_ids(env, neg, items, K, "negative item");

  const bool hogwild = info.Length() > 8 && info[8].ToBoolean().Value();
  // Optional category inputs after hogwild: extra, extraIndptr, extraIndices, extraWeight.
  const bool has_extra = info.Length() > 9 && !info[9].IsUndefined();
  Span<float> X;
  Span<int32_t> xp, xi;
  double beta = 0;
  int64_t category_keys = 0;
  int64_t rx = 0;
  int parts = 1;  // the category path's parts (argument 13; ignored under hogwild)
  // Checks every category list the batch reaches (only those: a scan of the whole map costs
  // O(items) per call) and counts their rows.
  const auto check_category_lists = [&]() {
    const int64_t nnz = int64_t(xi.size);
    for (const Span<int32_t>* touched : {&pos, &neg}) {
      for (size_t t = 0; t < touched->size; ++t) {
        const int32_t r = (*touched)[t];
        const int32_t lo = xp[size_t(r)], hi = xp[size_t(r) + 1];
        if (!(lo <= hi && lo >= 0 && hi <= nnz)) fail(env, "bpr_step: the category list of item " + std::to_string(r) + " is not a range of extraIndices");
        for (int32_t q = lo; q < hi; ++q) {
          if (xi[size_t(q)] < 0 || xi[size_t(q)] >= rx) {
            fail(env, "bpr_step: extra row " + std::to_string(xi[size_t(q)]) + " of item " + std::to_string(r) + " is out of range");
          }
        }
        category_keys += hi - lo;
      }
    }
  };
  if (has_extra) {
    X = array_arg<float>(info, 9, K, "extra");
    xp = array_arg<int32_t>(info, 10, K, "extraIndptr", items + 1);
    xi = array_arg<int32_t>(info, 11, K, "extraIndices");
    beta = number_arg(info, 12, K, "extraWeight");
    if (info.Length() > 13 && !info[13].IsUndefined()) parts = int(int_arg(info, 13, K, "parts", 1, kMaxParts));
    if (X.size % size_t(d) != 0) fail(env, "bpr_step: extra is not whole rows of the given dim");
    rx = int64_t(X.size) / d;
    if (xp[0] != 0 || xp[size_t(items)] != int64_t(xi.size)) fail(env, "bpr_step: extraIndptr must run from 0 to the length of extraIndices");
    // With parts the parts check their own triples' lists, on their threads (run_categories_in_parts).
    if (parts == 1 || hogwild) check_category_lists();
  }

  const int64_t n = int64_t(users.size);
  float* const Pd = P.data;
  float* const Qd = Q.data;
  // Tables that are views of one buffer (rows could overlap at any offset): run in order.
  const bool shared = spans_overlap(P, Q) || spans_overlap(P, X) || spans_overlap(Q, X);
  double total;
  if (!has_extra) {
    // lanes (argument 14; the 5-input form's deterministic schedule, ignored under hogwild).
    const int lanes = info.Length() > 14 && !info[14].IsUndefined() ? int(int_arg(info, 14, K, "lanes", 1, kMaxLanes)) : 1;
    total = run_plain(Pd, Qd, d, users.data, pos.data, neg.data, n, lr, reg, hogwild, shared, lanes);
  } else if (parts > 1 && !hogwild) {
    const ItemCategories cat{X.data, xp.data, xi.data, beta};
    std::vector<std::vector<float>> scratch(size_t(ThreadPool::instance().size()), std::vector<float>(size_t(3 * d)));
    total = 0;
    if (!run_categories_in_parts(Pd, Qd, d, users.data, pos.data, neg.data, n, cat, int64_t(xi.size), rx, parts, bpr_factors(lr, reg), shared,
                                 spans_overlap(P, X) || spans_overlap(Q, X), scratch, total)) {
      check_category_lists();  // throws the serial check's message (nothing was written)
      fail(env, "bpr_step: invalid category lists");
    }
  } else {
    const ItemCategories cat{X.data, xp.data, xi.data, beta};
    // Scratch rows per thread (q̃_i, q̃_j, p_u_old), reused across triples.
    std::vector<std::vector<float>> scratch(size_t(ThreadPool::instance().size()), std::vector<float>(size_t(3 * d)));
    const BprFactors f = bpr_factors(lr, reg);
    thread_local OrderedChoice choice;  // the category batches' pool-or-caller timing
    total = run_triples(
        n, hogwild, 3 * n + category_keys, shared, choice,
        [&](int64_t t, auto&& emit) {
          emit(row_key(0, users[t]));
          emit(row_key(1, pos[t]));
          emit(row_key(1, neg[t]));
          for (int32_t q = xp[pos[t]]; q < xp[pos[t] + 1]; ++q) emit(row_key(2, xi[q]));
          for (int32_t q = xp[neg[t]]; q < xp[neg[t] + 1]; ++q) emit(row_key(2, xi[q]));
        },
        [&](int64_t t, int64_t end, int tid) {
          if (t + kPrefetchDistance < end) {
            const int64_t ahead = t + kPrefetchDistance;
            prefetch_triple(Pd, Qd, d, users.data, pos.data, neg.data, ahead);
            for (const int32_t item : {pos[ahead], neg[ahead]}) {
              for (int32_t q = xp[item]; q < xp[item + 1]; ++q) prefetch_row(X.data + int64_t(xi[q]) * d, d);
            }
          }
          return bpr_triple_categories(Pd + int64_t(users[t]) * d, Qd + int64_t(pos[t]) * d, Qd + int64_t(neg[t]) * d, pos[t], neg[t], cat,
                                       SharedRows{X.data}, d, f, scratch[size_t(tid)].data());
        });
  }
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

Napi::Value bpr_sample_step(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bpr_sample_step";
  const Napi::Env env = info.Env();
  const Span<float> P = array_arg<float>(info, 0, K, "userFactors");
  const Span<float> Q = array_arg<float>(info, 1, K, "itemFactors");
  const int64_t d = int_arg(info, 2, K, "dim", 1, 1 << 20);
  const Span<int32_t> users = array_arg<int32_t>(info, 3, K, "users");
  const Span<int32_t> pos = array_arg<int32_t>(info, 4, K, "positives", int64_t(users.size));
  const Span<int32_t> indptr = array_arg<int32_t>(info, 5, K, "indptr");
  const Span<int32_t> indices = array_arg<int32_t>(info, 6, K, "indices");
  const double lr = number_arg(info, 7, K, "lr");
  const double reg = number_arg(info, 8, K, "reg");
  const bool hogwild = info[9].ToBoolean().Value();
  const PhiloxKey key{uint32_t(int_arg(info, 10, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 11, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 12, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 13, K, "counter", 0, 9007199254740991LL));
  const uint64_t max_tries = uint64_t(int_arg(info, 14, K, "maxTries", 1, 1 << 20));
  if (P.size % size_t(d) != 0 || Q.size % size_t(d) != 0) fail(env, "bpr_sample_step: factor tables are not whole rows of the given dim");
  const int64_t rows = int64_t(P.size) / d;
  const int64_t items = int64_t(Q.size) / d;
  if (items < 1 || items > 2147483647) fail(env, "bpr_sample_step: itemFactors must have 1 to 2^31 - 1 rows");
  if (int64_t(indptr.size) != rows + 1) fail(env, "bpr_sample_step: indptr must hold one more entry than the user rows");
  check_ids(env, users, rows, K, "user");
  check_ids(env, pos, items, K, "positive item");
  // The CSR rows the batch reaches (the others are never read).
  const int64_t nnz = int64_t(indices.size);
  for (size_t r = 0; r < users.size; ++r) {
    const int32_t lo = indptr[size_t(users[r])], hi = indptr[size_t(users[r]) + 1];
    if (!(lo >= 0 && lo <= hi && hi <= nnz)) {
      // The js reference's message (core's checkBprSampleStepIds), so that no host check runs before the addon.
      const std::string u = std::to_string(users[r]);
      fail(env, "bpr_sample_step: indptr[" + u + "] … indptr[" + std::to_string(int64_t(users[r]) + 1) + "] = " + std::to_string(lo) + " … " + std::to_string(hi) +
                    " is not a range of indices (length " + std::to_string(nnz) + ")");
    }
  }
  const int64_t n = int64_t(users.size);
  // The negatives live in a per-thread buffer kept between calls.
  thread_local std::vector<int32_t> negs;
  if (negs.size() < size_t(n)) negs.resize(size_t(n));
  exclude_draws(users.data, n, indptr.data, indices.data, uint32_t(items), key, stream, counter, max_tries, negs.data());
  const bool shared = spans_overlap(P, Q);
  const int lanes = info.Length() > 15 && !info[15].IsUndefined() ? int(int_arg(info, 15, K, "lanes", 1, kMaxLanes)) : 1;
  const double total = run_plain(P.data, Q.data, d, users.data, pos.data, negs.data(), n, lr, reg, hogwild, shared, lanes);
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec

REC_EXPORT(bpr_step);
REC_EXPORT(bpr_sample_step);
