// `skipgram_step`: one fused skip-gram-with-negative-sampling SGD pass over a
// batch of (context, target) pairs with N negatives each, in place (Mikolov et
// al. 2013b, §2.2), with MRLR's context c = α1·a + α2·b and output vectors
// t = w + (β/|C|)·Σ_{l∈C} x_l over the item's categories C (Sun et al., MRLR,
// §3.2 Eq. 5, §3.4 Eq. 7, §3.5 Eq. 9).
// Reference and full contract: packages/core/src/kernels/sgd/skipgram_step.ts.
//
//   per example: c = α1·a + α2·b;  for j in [target, negatives…], y = [j = target]:
//     C_j = extraIndices[extraIndptr[j] … extraIndptr[j+1]),  m_j = β / |C_j|
//     t = w_j + m_j·Σ_{l∈C_j} x_l  (t = w_j when C_j is empty)
//     s = c·t;  g = y − σ(s);  ĉ += g·t
//     w_j += lr·(g·c − λ·w_j);   for l in C_j, in list order: x_l += lr·(g·m_j·c − λ·x_l)
//   then a += lr·(α1·ĉ − λ·a),  b += lr·(α2·ĉ − λ·b);   loss = mean Σ_j softplus(∓s)
//
// Layouts: A f32 [Ra·d], B f32 [Rb·d], W f32 [Ro·d], X f32 [Rx·d] or empty,
// extraIndptr i32 [Ro + 1] and extraIndices i32 [nnz] (CSR: output row j's
// category rows) or both empty, ctxA/ctxB/targets i32 [b], negatives i32 [b·N].
// Variants: with or without categories, a template parameter, so the
// 7-input loop carries no per-row test for a category list; and `fast` (argument
// 18): f32 arithmetic with σ and softplus from one e^−|s| (common/fast_exp.h) —
// the reference up to f32 rounding, about 2× the exact loop on one thread
// (apps/bench skipgram.ts). Without categories and with N + 1 distinct output
// rows it computes an example's dot products before its updates (they cannot
// see each other's updates then), so the rows' work overlaps; otherwise it runs
// the reference's row order.
// Numerics (default): each example exactly as the reference computes it — c, t, ĉ and
// each dot product in f64 (s summed sequentially; Σ x_l per column from 0 in
// list order, then ·m_j, then + w_j), σ through Math.exp's own
// algorithm (common/js_exp.h), rows rounded to f32 on store, no FMA
// contraction — so the tables equal the js reference bit for bit. The loss
// terms reuse σ's exp(−s) (exp(s) as its reciprocal) and the C library's log1p,
// so they may differ from the reference's by a few f64 ulps; summed in
// f64 in batch order (deterministic) or per thread (Hogwild).
// Threading, two variants (attribute `hogwild`):
// - deterministic (default): common/row_order.h — an example waits for the
//   last earlier example that touched any of its rows (a, b, its N + 1 output
//   rows and every category row of each), so every row gets its updates in
//   batch order: bit-identical to the reference at any REC_THREADS, scheduling and load.
// - Hogwild (as word2vec): examples in contiguous slices over the pool, rows
//   updated without locks, so with more than one thread the result depends on
//   timing. With one thread both variants run the examples in order.
// Memory: per example 2 + (N + 1)·(1 + |C|) rows read and written; the rows of
// example e + 4, its category rows included, are prefetched (within the
// thread's chunk or slice).
#include <cmath>
#include <initializer_list>
#include <string>
#include <type_traits>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/fast_exp.h"
#include "../common/js_exp.h"
#include "../common/row_order.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kPrefetchDistance = 4;
/** Examples per chunk in the deterministic schedule. */
constexpr int64_t kOrderedChunk = 16;

/**
 * ln(1 + ε) for ε in [0, 1] in f32, the `fast` variant's softplus tail: 2·atanh(u) with
 * u = ε / (2 + ε) ≤ 1/3, odd series to u¹³ (truncation < 3·10⁻⁸ absolute) — a division
 * and a polynomial where log1pf is a library call.
 */
inline float log1p_unit(float eps) {
  const float u = eps / (2.0f + eps);
  const float u2 = u * u;
  float p = 1.0f / 13;
  p = p * u2 + 1.0f / 11;
  p = p * u2 + 1.0f / 9;
  p = p * u2 + 1.0f / 7;
  p = p * u2 + 1.0f / 5;
  p = p * u2 + 1.0f / 3;
  p = p * u2 + 1.0f;
  return 2.0f * u * p;
}

/** One call's tables, ids and attributes; `example<kExtra>` is the reference's per-example arithmetic. */
struct SkipgramBatch {
  float* A;
  float* B;
  float* W;
  float* X;             // category rows (kExtra only)
  const int32_t* xp;    // extraIndptr [Ro + 1] (kExtra only)
  const int32_t* xi;    // extraIndices [nnz] (kExtra only)
  const int32_t* ca;
  const int32_t* cb;
  const int32_t* targets;
  const int32_t* negs;
  int64_t d, N;
  double alpha1, alpha2, beta, lr, reg;

  int32_t output_row(int64_t e, int64_t j) const { return j == 0 ? targets[e] : negs[e * N + j - 1]; }

  /** Prefetches example f's context rows, output rows and (with categories) their category rows. */
  template <bool kExtra>
  void prefetch(int64_t f) const {
    prefetch_row(A + int64_t(ca[f]) * d, d);
    prefetch_row(B + int64_t(cb[f]) * d, d);
    for (int64_t j = 0; j <= N; ++j) {
      const int32_t row = output_row(f, j);
      prefetch_row(W + int64_t(row) * d, d);
      if constexpr (kExtra) {
        for (int32_t q = xp[row]; q < xp[row + 1]; ++q) prefetch_row(X + int64_t(xi[q]) * d, d);
      }
    }
  }

  /** c = α1·a + α2·b of example e into ctx, and ĉ = 0 into grad (d values of T each). */
  template <typename T>
  void load_context(int64_t e, T* ctx, T* grad) const {
    const float* a = A + int64_t(ca[e]) * d;
    const float* b = B + int64_t(cb[e]) * d;
    const T a1 = T(alpha1), a2 = T(alpha2);
    for (int64_t k = 0; k < d; ++k) {
      ctx[k] = a1 * T(a[k]) + a2 * T(b[k]);
      grad[k] = 0;
    }
  }

  /** a += lr·(α1·ĉ − λ·a), b += lr·(α2·ĉ − λ·b) of example e, in T, rounded to f32 on store. */
  template <typename T>
  void store_context(int64_t e, const T* grad) const {
    float* a = A + int64_t(ca[e]) * d;
    float* b = B + int64_t(cb[e]) * d;
    const T a1 = T(alpha1), a2 = T(alpha2), step = T(lr), decay = T(reg);
    for (int64_t k = 0; k < d; ++k) {
      const T av = a[k];
      a[k] = float(av + step * (a1 * grad[k] - decay * av));
    }
    for (int64_t k = 0; k < d; ++k) {
      const T bv = b[k];
      b[k] = float(bv + step * (a2 * grad[k] - decay * bv));
    }
  }

  /**
   * g = y − σ(s) of one output row, and its loss term softplus(∓s) (− for the target) added to
   * *loss. In f64 (the default): σ through Math.exp's own algorithm (js_exp), as the reference;
   * softplus from the same e = exp(−s) with no second exp (exp(s) = 1/e) — the loss is not
   * part of the bitwise contract, and this halves the exps per row. In f32 (`fast`): both from
   * one e^−|s| (fast_exp.h) and log1p_unit.
   */
  static double row_step(double s, bool target, double* loss) {
    const double e = js_exp(-s);
    if (target) *loss += s < 0 ? -s + std::log1p(1 / e) : std::log1p(e);
    else *loss += s > 0 ? s + std::log1p(e) : std::log1p(1 / e);
    return (target ? 1.0 : 0.0) - 1 / (1 + e);
  }
  static float row_step(float s, bool target, float* loss) {
    const float eps = exp_nonpositive(-std::fabs(s));
    const float inv = 1.0f / (1.0f + eps);
    const float sig = s >= 0 ? inv : eps * inv;
    const float z = target ? -s : s;  // softplus(z) = max(z, 0) + ln(1 + e^−|z|)
    *loss += (z > 0 ? z : 0.0f) + log1p_unit(eps);
    return (target ? 1.0f : 0.0f) - sig;
  }

  /**
   * Example e in the reference's order (scratch: 3·d of T); returns its loss terms' sum. With
   * T = double it is the reference's arithmetic operation for operation (the default, bit for
   * bit); with T = float, the same operations in f32 (`fast`, where rows repeat or categories
   * are given). Without categories (kExtra false) the loop is the 7-input kernel's, with no
   * per-row test for a category list.
   */
  template <bool kExtra, typename T>
  double example(int64_t e, T* scratch) const {
    T* ctx = scratch;
    T* grad = ctx + d;
    T* t = grad + d;
    const T step = T(lr), decay = T(reg);
    load_context(e, ctx, grad);
    T loss = 0;
    for (int64_t j = 0; j <= N; ++j) {
      const int32_t row = output_row(e, j);
      float* w = W + int64_t(row) * d;
      int32_t lo = 0, hi = 0;
      if constexpr (kExtra) {
        lo = xp[row];
        hi = xp[row + 1];
      }
      const T m = hi > lo ? T(beta) / T(hi - lo) : T(0);
      if (hi > lo) {
        // t = w + m·Σ x_l: per column the sum starts at 0 and adds the rows in list order, as the reference's.
        for (int64_t k = 0; k < d; ++k) t[k] = 0;
        for (int32_t q = lo; q < hi; ++q) {
          const float* x = X + int64_t(xi[q]) * d;
          for (int64_t k = 0; k < d; ++k) t[k] += T(x[k]);
        }
        for (int64_t k = 0; k < d; ++k) t[k] = T(w[k]) + m * t[k];
      } else {
        for (int64_t k = 0; k < d; ++k) t[k] = T(w[k]);
      }
      T s = 0;
      for (int64_t k = 0; k < d; ++k) s += ctx[k] * t[k];
      const T g = row_step(s, j == 0, &loss);
      for (int64_t k = 0; k < d; ++k) {
        grad[k] += g * t[k];
        const T wv = w[k];
        w[k] = float(wv + step * (g * ctx[k] - decay * wv));
      }
      if constexpr (kExtra) {
        const T gm = g * m;  // the reference's g·m·c[k], left to right
        for (int32_t q = lo; q < hi; ++q) {
          float* x = X + int64_t(xi[q]) * d;
          for (int64_t k = 0; k < d; ++k) {
            const T xv = x[k];
            x[k] = float(xv + step * (gm * ctx[k] - decay * xv));
          }
        }
      }
    }
    store_context(e, grad);
    return double(loss);
  }

  /**
   * Example e in the `fast` variant: the reference's update in f32, σ and softplus from one
   * e^−|s| (row_step). Without categories and with N + 1 distinct output rows (the usual
   * case: a repeat needs a negative equal to the target or to another negative), the rows'
   * dot products do not depend on each other's updates, so example_fast_rows computes them
   * in passes that overlap; otherwise example<kExtra, float> runs the rows in the reference's order
   * (with categories, rows share category rows whose updates later rows read). Either way the
   * result is the reference's up to f32 rounding, and depends on nothing but the inputs.
   */
  template <bool kExtra>
  double example_fast(int64_t e, float* __restrict scratch) const {
    if constexpr (!kExtra) {
      const int32_t* outs = negs + e * N;
      bool distinct = true;
      for (int64_t j = 0; j < N && distinct; ++j) {
        distinct = outs[j] != targets[e];
        for (int64_t k = 0; k < j && distinct; ++k) distinct = outs[j] != outs[k];
      }
      if (distinct) return example_fast_rows(e, scratch);
    }
    return example<kExtra, float>(e, scratch);
  }

  /**
   * Example e without categories and with distinct output rows, in f32 (scratch: 2·d + N + 1
   * floats): all N + 1 dot products, then all σ (the loss from one ln per 64 rows: the sum of
   * ln(1 + e^−|z|) is the ln of the product), then the updates in the reference's order.
   * With distinct rows no dot product reads another row's update, so this is the reference's
   * arithmetic reordered; the passes let the rows' work overlap where the row-by-row loop
   * waits on each σ.
   */
  double example_fast_rows(int64_t e, float* __restrict scratch) const {
    float* __restrict ctx = scratch;
    float* __restrict grad = ctx + d;
    float* __restrict gs = grad + d;  // s_j, then g_j [N + 1]
    const float fl = float(lr), fr = float(reg);
    load_context(e, ctx, grad);
    for (int64_t j = 0; j <= N; ++j) {
      const float* w = W + int64_t(output_row(e, j)) * d;
      float s = 0;
      for (int64_t k = 0; k < d; ++k) s += ctx[k] * w[k];
      gs[j] = s;
    }
    // σ per row; the loss terms' ln(1 + e^−|z|) summed as the ln of their product, each factor
    // in (1, 2]: one ln per 64 rows (a product ≤ 2⁶⁴) instead of one per row.
    float hinge = 0, prod = 1, logs = 0;
    for (int64_t j = 0; j <= N; ++j) {
      if (j % 64 == 63) {
        logs += std::log(prod);
        prod = 1;
      }
      const float sj = gs[j];
      const float eps = exp_nonpositive(-std::fabs(sj));
      const float inv = 1.0f / (1.0f + eps);
      const float z = j == 0 ? -sj : sj;
      hinge += z > 0 ? z : 0.0f;
      prod *= 1.0f + eps;
      gs[j] = (j == 0 ? 1.0f : 0.0f) - (sj >= 0 ? inv : eps * inv);
    }
    const float loss = hinge + logs + std::log(prod);
    for (int64_t j = 0; j <= N; ++j) {
      float* w = W + int64_t(output_row(e, j)) * d;
      const float g = gs[j];
      for (int64_t k = 0; k < d; ++k) {
        grad[k] += g * w[k];
        w[k] = w[k] + fl * (g * ctx[k] - fr * w[k]);
      }
    }
    store_context(e, grad);
    return double(loss);
  }
};

/**
 * The batch in one of the two schedules; returns the summed loss. `total_keys` bounds the row
 * keys of the whole batch (2 context rows and N + 1 output rows per example, plus every
 * category of every touched output row); `ordered_in_series` when tables share memory.
 */
template <bool kExtra, bool kFast>
double run_batch(const SkipgramBatch& sg, int64_t n, bool hogwild, int64_t total_keys, bool ordered_in_series) {
  const int nthreads = ThreadPool::instance().size();
  using Scratch = std::conditional_t<kFast, float, double>;
  // Scratch rows per thread (c, ĉ, t; and the fast variant's N + 1 dot products), reused across examples.
  const size_t scratch_size = size_t(3 * sg.d + (kFast ? sg.N + 1 : 0));
  std::vector<std::vector<Scratch>> scratch(size_t(nthreads), std::vector<Scratch>(scratch_size, Scratch(0)));
  const auto example = [&](int64_t e, int tid) {
    if constexpr (kFast) return sg.example_fast<kExtra>(e, scratch[size_t(tid)].data());
    else return sg.example<kExtra, double>(e, scratch[size_t(tid)].data());
  };
  if (!hogwild) {
    std::vector<double> terms(static_cast<size_t>(n));
    run_in_row_order(
        n, total_keys, kOrderedChunk, ordered_in_series ? n + 1 : 2 * kOrderedChunk,
        [&](int64_t e, auto&& emit) {
          emit(row_key(0, sg.ca[e]));
          emit(row_key(1, sg.cb[e]));
          for (int64_t j = 0; j <= sg.N; ++j) {
            const int32_t row = sg.output_row(e, j);
            emit(row_key(2, row));
            if constexpr (kExtra) {
              for (int32_t q = sg.xp[row]; q < sg.xp[row + 1]; ++q) emit(row_key(3, sg.xi[q]));
            }
          }
        },
        [&](int64_t e, int64_t end, int tid) {
          if (e + kPrefetchDistance < end) sg.prefetch<kExtra>(e + kPrefetchDistance);
          terms[size_t(e)] = example(e, tid);
        });
    double total = 0;
    for (double l : terms) total += l;
    return total;
  }
  std::vector<double> partial(size_t(nthreads), 0.0);
  parallel_for(n, 16, [&](int64_t begin, int64_t end, int tid) {
    double loss = 0;
    for (int64_t e = begin; e < end; ++e) {
      if (e + kPrefetchDistance < end) sg.prefetch<kExtra>(e + kPrefetchDistance);
      loss += example(e, tid);
    }
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return total;
}

}  // namespace

Napi::Value skipgram_step(const Napi::CallbackInfo& info) {
  constexpr const char* K = "skipgram_step";
  const Napi::Env env = info.Env();
  const Span<float> A = array_arg<float>(info, 0, K, "contextA");
  const Span<float> B = array_arg<float>(info, 1, K, "contextB");
  const Span<float> W = array_arg<float>(info, 2, K, "output");
  const Span<float> X = array_arg<float>(info, 3, K, "extra");
  const Span<int32_t> xp = array_arg<int32_t>(info, 4, K, "extraIndptr");
  const Span<int32_t> xi = array_arg<int32_t>(info, 5, K, "extraIndices");
  const int64_t d = int_arg(info, 6, K, "dim", 1, 1 << 20);
  const Span<int32_t> ca = array_arg<int32_t>(info, 7, K, "ctxA");
  const int64_t n = int64_t(ca.size);
  const Span<int32_t> cb = array_arg<int32_t>(info, 8, K, "ctxB", n);
  const Span<int32_t> targets = array_arg<int32_t>(info, 9, K, "targets", n);
  const int64_t N = int_arg(info, 11, K, "negativesPerExample", 0, 1 << 20);
  const Span<int32_t> negs = array_arg<int32_t>(info, 10, K, "negatives", n * N);
  const double alpha1 = number_arg(info, 12, K, "alpha1");
  const double alpha2 = number_arg(info, 13, K, "alpha2");
  const double beta = number_arg(info, 14, K, "extraWeight");
  const double lr = number_arg(info, 15, K, "lr");
  const double reg = number_arg(info, 16, K, "reg");
  const bool hogwild = info.Length() > 17 && info[17].ToBoolean().Value();
  const bool fast = info.Length() > 18 && info[18].ToBoolean().Value();
  if (A.size % size_t(d) != 0 || B.size % size_t(d) != 0 || W.size % size_t(d) != 0 || X.size % size_t(d) != 0) {
    fail(env, "skipgram_step: tables are not whole rows of the given dim");
  }
  const int64_t rows_out = int64_t(W.size) / d;
  // The category inputs are present when extraIndptr is (an extra table of 0 rows is valid: every list empty).
  const bool has_extra = xp.size != 0;
  check_ids(env, ca, int64_t(A.size) / d, K, "contextA row");
  check_ids(env, cb, int64_t(B.size) / d, K, "contextB row");
  check_ids(env, targets, rows_out, K, "target");
  check_ids(env, negs, rows_out, K, "negative");
  int64_t total_keys = n * (2 + (N + 1));
  if (has_extra) {
    const int64_t rx = int64_t(X.size) / d;
    const int64_t nnz = int64_t(xi.size);
    if (int64_t(xp.size) != rows_out + 1) fail(env, "skipgram_step: extraIndptr must have one more entry than the output rows");
    if (xp[0] != 0 || xp[size_t(rows_out)] != nnz) fail(env, "skipgram_step: extraIndptr must run from 0 to the length of extraIndices");
    // Only the rows this batch touches: a scan of the whole map costs O(output rows) per call.
    for (const Span<int32_t>* touched : {&targets, &negs}) {
      for (size_t i = 0; i < touched->size; ++i) {
        const int32_t r = (*touched)[i];
        const int32_t lo = xp[size_t(r)], hi = xp[size_t(r) + 1];
        if (!(lo <= hi && lo >= 0 && hi <= nnz)) fail(env, "skipgram_step: the category list of output row " + std::to_string(r) + " is not a range of extraIndices");
        for (int32_t q = lo; q < hi; ++q) {
          if (xi[size_t(q)] < 0 || xi[size_t(q)] >= rx) {
            fail(env, "skipgram_step: extra row " + std::to_string(xi[size_t(q)]) + " of output row " + std::to_string(r) + " is out of range");
          }
        }
        total_keys += hi - lo;
      }
    }
  }

  const SkipgramBatch sg{A.data, B.data, W.data, X.data, xp.data, xi.data, ca.data, cb.data, targets.data, negs.data, d, N, alpha1, alpha2, beta, lr, reg};
  // Tables that are views of one buffer (distinct tensors, but they could share memory): run in order.
  const Span<float>* tables[] = {&A, &B, &W, &X};
  bool shared = false;
  for (int i = 0; i < 4; ++i) {
    for (int k = i + 1; k < 4; ++k) {
      const Span<float>& p = *tables[i];
      const Span<float>& q = *tables[k];
      if (p.size && q.size && p.data < q.data + q.size && q.data < p.data + p.size) shared = true;
    }
  }
  double total;
  if (fast) total = has_extra ? run_batch<true, true>(sg, n, hogwild, total_keys, shared) : run_batch<false, true>(sg, n, hogwild, total_keys, shared);
  else total = has_extra ? run_batch<true, false>(sg, n, hogwild, total_keys, shared) : run_batch<false, false>(sg, n, hogwild, total_keys, shared);
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec
