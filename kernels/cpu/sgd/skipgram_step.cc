// `skipgram_step`: one fused skip-gram-with-negative-sampling SGD pass over a
// batch of (context, target) pairs with N negatives each, in place (Mikolov et
// al. 2013b, §2.2), with MRLR's context c = α1·a + α2·b and output vectors
// t = w + (β/|C|)·Σ_{l∈C} x_l over the item's categories C (Sun et al., MRLR,
// §3.2 Eq. 5, §3.4 Eq. 7, §3.5 Eq. 9).
// Reference and full contract: packages/core/src/kernels/sgd/skipgram_step.ts.
// `skipgram_sample_step` (below) is the same step with its negatives drawn here
// first, by neg_sample_alias's recipe (common/alias_draws.h) into a per-thread buffer;
// contract: packages/core/src/kernels/sgd/skipgram_sample_step.ts.
//
//   per example: c = α1·a + α2·b;  for j in [target, negatives…], y = [j = target]:
//     C_j = extraIndices[extraIndptr[j] … extraIndptr[j+1]),  m_j = β / |C_j|
//     t = w_j + m_j·Σ_{l∈C_j} x_l  (t = w_j when C_j is empty)
//     s = c·t;  g = y − σ(s);  ĉ += g·t
//     w_j += lr·(g·c − λ·w_j);   for l in C_j, in list order: x_l += lr·(g·m_j·c − λ·x_l)
//   then a += lr·(α1·ĉ − λ·a),  b += lr·(α2·ĉ − λ·b);   loss = mean Σ_j softplus(∓s)
//   (α2 = 0 and λ = 0: b is neither read nor written, c = α1·a)
//
// Layouts: A f32 [Ra·d], B f32 [Rb·d], W f32 [Ro·d], X f32 [Rx·d] or empty,
// extraIndptr i32 [Ro + 1] and extraIndices i32 [nnz] (CSR: output row j's
// category rows) or both empty, ctxA/ctxB/targets i32 [b], negatives i32 [b·N].
// Variants: with or without categories, a template parameter, so the
// 7-input loop carries no per-row test for a category list; and `fast` (argument
// 18): without categories and with N + 1 distinct output rows it computes an
// example's dot products before its updates (they cannot see each other's
// updates then), so the rows' work overlaps, with the loss from one ln per 64
// rows — the reference up to f32 rounding; otherwise it runs the default's loop;
// and with categories `parts` (argument 19, skipgram_sample_step's 24; see Threading).
// Numerics (default): each example exactly as the reference computes it, in
// f32 (common/exact_f32.h) — c = α1·a + α2·b, t = w + m·Σ x_l (Σ per column from
// 0 in list order, then ·m, then + w), s = c·t in the fixed eight-lane order,
// σ and the loss term from one e^−|s| (Cephes' expf and a ln(1 + z) polynomial),
// and each row update in the algebraically equal form θ ← (1 − lr·λ)·θ + lr·g·∂,
// no FMA contraction — so the tables equal the js reference bit for bit while
// the dot products and updates run as 8-wide vectors (the f64 sequential sums
// and Math.exp it replaced ran at a fraction of the rate). Loss terms summed in
// f64 per example, then in batch order (deterministic) or per thread (Hogwild).
// Threading, two variants (attribute `hogwild`):
// - deterministic (default): common/row_order.h — an example waits for the
//   last earlier example that touched any of its rows (a, b, its N + 1 output
//   rows and every category row of each), so every row gets its updates in
//   batch order: bit-identical to the reference at any REC_THREADS, scheduling and load.
//   With categories and `parts` = P ≥ 2 (the caller passes its thread count):
//   the few hot category rows chain nearly every example to the one before, so
//   instead example e reads and writes part ⌊e/64⌋ mod P's own copy of the
//   category rows, taken at the call's start, and only a, b and the output rows
//   order the examples; the parts run in parallel, part p on thread p mod T
//   (run_in_part_order), and the copies are merged into X at the end
//   (common/part_copies.h: X_r = S_q,r for the lowest part q that wrote r, plus
//   Σ (S_p,r − X_r) over the later parts that wrote r, in f32, parts ascending). The result depends on P,
//   never on the thread count or timing: bit-identical to the reference with the
//   same `parts` (`fast` runs the default loop with categories, so it gets the
//   same bits); P = 1 is the path above. Each part checks its own examples'
//   category lists (before any write; an invalid list gets the serial check's
//   error). skipgram_sample_step draws its negatives, then runs the same. Cost
//   on the 2-vCPU VM it was measured on (apps/bench, parts 2): 1.35–1.65×
//   Hogwild at 2 threads, about what the path above costs there (1.4–1.6×):
//   about 24 category rows per pair, most of the 10,000 rows touched by both
//   parts, so the merge is ~10 % of the call, and the vCPUs differ 1.5× in
//   memory latency, which a static split cannot even out. On MRLR's own
//   batches (bench:mrlr-threads, Toys' 1,027 categories, d = 10) the fused
//   step with parts 2 takes 0.78–0.93× Hogwild's time.
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

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

#include "../addon.h"
#include "../common/alias_draws.h"
#include "../common/exact_f32.h"  // first: its FMA-contraction pragma must precede fast_exp.h (log1p_unit)
#include "../common/checks.h"
#include "../common/fast_exp.h"
#include "../common/part_copies.h"
#include "../common/row_order.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kPrefetchDistance = 4;
/** Examples per chunk in the deterministic schedule. */
constexpr int64_t kOrderedChunk = 16;

/** A call's factors in f32, rounded once from f64 as the reference does: α1, α2, lr, decay = 1 − lr·λ, lr·α1, lr·α2. */
struct SkipgramFactors {
  float a1, a2, lr, decay, la1, la2;
};

inline SkipgramFactors skipgram_factors(double alpha1, double alpha2, double lr, double reg) {
  const float a1 = float(alpha1), a2 = float(alpha2), l = float(lr);
  return SkipgramFactors{a1, a2, l, float(1 - lr * reg), l * a1, l * a2};
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
  /** Whether b is read and written: not when α2 = 0 and λ = 0 (its update would add 0; c = α1·a). */
  bool use_b;
  /** The f32 factors of alpha1, alpha2, lr and reg (skipgram_factors), computed once per call. */
  SkipgramFactors f;

  int32_t output_row(int64_t e, int64_t j) const { return j == 0 ? targets[e] : negs[e * N + j - 1]; }

  /** Prefetches example f's context rows, output rows and (with categories) their category rows. */
  template <bool kExtra>
  void prefetch(int64_t f) const {
    prefetch_row(A + int64_t(ca[f]) * d, d);
    if (use_b) prefetch_row(B + int64_t(cb[f]) * d, d);
    for (int64_t j = 0; j <= N; ++j) {
      const int32_t row = output_row(f, j);
      prefetch_row(W + int64_t(row) * d, d);
      if constexpr (kExtra) {
        for (int32_t q = xp[row]; q < xp[row + 1]; ++q) prefetch_row(X + int64_t(xi[q]) * d, d);
      }
    }
  }

  /** c = α1·a + α2·b of example e into ctx, and ĉ = 0 into grad. */
  void load_context(int64_t e, float* __restrict ctx, float* __restrict grad) const {
    const float* a = A + int64_t(ca[e]) * d;
    if (use_b) {
      const float* b = B + int64_t(cb[e]) * d;
      for (int64_t k = 0; k < d; ++k) ctx[k] = f.a1 * a[k] + f.a2 * b[k];
    } else {
      for (int64_t k = 0; k < d; ++k) ctx[k] = f.a1 * a[k];
    }
    for (int64_t k = 0; k < d; ++k) grad[k] = 0;
  }

  /** a ← decay·a + (lr·α1)·ĉ, then b ← decay·b + (lr·α2)·ĉ, of example e. */
  void store_context(int64_t e, const float* __restrict grad) const {
    float* a = A + int64_t(ca[e]) * d;
    for (int64_t k = 0; k < d; ++k) a[k] = f.decay * a[k] + f.la1 * grad[k];
    if (!use_b) return;
    float* b = B + int64_t(cb[e]) * d;
    for (int64_t k = 0; k < d; ++k) b[k] = f.decay * b[k] + f.la2 * grad[k];
  }

  /**
   * Example e, the reference's arithmetic operation for operation (scratch: 3·d floats): the
   * default, bit for bit. Without categories (kExtra false) the output row itself is t (no
   * copy) and the loop carries no per-row test for a category list.
   */
  template <bool kExtra>
  double example(int64_t e, float* scratch) const {
    return example_on<kExtra>(e, scratch, SharedRows{X});
  }

  /**
   * example<kExtra> with the category rows read and written through `rows`: SharedRows (X in
   * place) or, with `parts`, the example's part's PartRows (common/part_copies.h).
   */
  template <bool kExtra, typename CategoryRows>
  double example_on(int64_t e, float* scratch, const CategoryRows& rows) const {
    float* ctx = scratch;
    float* grad = ctx + d;
    float* t = grad + d;
    load_context(e, ctx, grad);
    double loss = 0;
    for (int64_t j = 0; j <= N; ++j) {
      const int32_t row = output_row(e, j);
      float* w = W + int64_t(row) * d;
      int32_t lo = 0, hi = 0;
      const float* tv = w;
      float m = 0;
      if constexpr (kExtra) {
        lo = xp[row];
        hi = xp[row + 1];
        m = rows.vector(t, w, xi, lo, hi, beta, d);
        tv = t;
      }
      const float s = dot8(ctx, tv, d);
      // g = y − σ(s): σ(−s) for the target, −σ(s) for a negative; loss softplus(∓s).
      const LogisticParts p = logistic_parts(j == 0 ? s : -s);
      const float g = j == 0 ? p.sigma_neg : -p.sigma_neg;
      loss += p.softplus_neg;
      const float sg = f.lr * g;
      // tv may be w itself: each element is read (for ĉ) before its store.
      for (int64_t k = 0; k < d; ++k) {
        grad[k] += g * tv[k];
        w[k] = f.decay * w[k] + sg * ctx[k];
      }
      if constexpr (kExtra) rows.update(xi, lo, hi, ctx, sg * m, f.decay, d);
    }
    store_context(e, grad);
    return loss;
  }

  /**
   * Example e in the `fast` variant: the reference's update in f32, σ and softplus from one
   * e^−|s|. Without categories and with N + 1 distinct output rows (the usual
   * case: a repeat needs a negative equal to the target or to another negative), the rows'
   * dot products do not depend on each other's updates, so example_fast_rows computes them
   * in passes that overlap; otherwise example<kExtra> runs the rows in the reference's order
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
      if (distinct) {
#if defined(__AVX512F__)
        if (d <= 16) return example_fast_rows16(e, scratch);
#endif
        return example_fast_rows(e, scratch);
      }
    }
    return example<kExtra>(e, scratch);
  }

  /**
   * gs[j] = y_j − σ(s_j) in place of the N + 1 dot products s_j (y_0 = 1 for the target, 0
   * for the negatives); returns the loss Σ softplus(∓s_j). The ln(1 + e^−|z|) terms are summed
   * as the ln of their product, each factor in (1, 2]: one ln per 64 rows (a product ≤ 2⁶⁴)
   * instead of one per row.
   */
  float gradients_of_dots(float* __restrict gs) const {
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
    return hinge + logs + std::log(prod);
  }

  /**
   * gradients_of_dots for N + 1 ≤ 16 rows: e^−|s|, σ and g for 16 lanes in loops of fixed
   * length that GCC vectorises (the exps no longer wait on each other), then the loss's two
   * sums over the N + 1 rows. The same arithmetic per row as gradients_of_dots, with one ln.
   */
  float gradients_of_dots16(float* __restrict gs) const {
    float sv[16], ev[16], gv[16];
    for (int j = 0; j < 16; ++j) sv[j] = j <= N ? gs[j] : 0.0f;
    for (int j = 0; j < 16; ++j) {
      const float eps = exp_nonpositive(-std::fabs(sv[j]));
      const float inv = 1.0f / (1.0f + eps);
      ev[j] = eps;
      gv[j] = (j == 0 ? 1.0f : 0.0f) - (sv[j] >= 0 ? inv : eps * inv);
    }
    float hinge = 0, prod = 1;
    for (int64_t j = 0; j <= N; ++j) {
      const float z = j == 0 ? -sv[j] : sv[j];
      hinge += z > 0 ? z : 0.0f;
      prod *= 1.0f + ev[j];
      gs[j] = gv[j];
    }
    return hinge + std::log(prod);
  }

#if defined(__AVX512F__)
  /**
   * example_fast_rows for d ≤ 16 (MRLR's and Item2Vec's d = 10): every row is one masked
   * 16-lane vector, so the dot products, the updates and the context's gradient are a few
   * vector instructions per row where the column loops ran 10 scalar steps with a remainder.
   * The same operations as example_fast_rows except the dot product's summation order (a
   * lane tree instead of left to right): deterministic, within f32 rounding of the reference.
   */
  double example_fast_rows16(int64_t e, float* __restrict gs) const {
    const __mmask16 mask = __mmask16((1u << d) - 1u);
    const __m512 fl = _mm512_set1_ps(float(lr)), fr = _mm512_set1_ps(float(reg));
    const __m512 a1 = _mm512_set1_ps(float(alpha1)), a2 = _mm512_set1_ps(float(alpha2));
    float* a = A + int64_t(ca[e]) * d;
    float* b = B + int64_t(cb[e]) * d;
    __m512 ctx = _mm512_mul_ps(a1, _mm512_maskz_loadu_ps(mask, a));
    if (use_b) ctx = _mm512_add_ps(ctx, _mm512_mul_ps(a2, _mm512_maskz_loadu_ps(mask, b)));
    for (int64_t j = 0; j <= N; ++j) {
      const __m512 w = _mm512_maskz_loadu_ps(mask, W + int64_t(output_row(e, j)) * d);
      gs[j] = _mm512_reduce_add_ps(_mm512_mul_ps(ctx, w));
    }
    const float loss = N < 16 ? gradients_of_dots16(gs) : gradients_of_dots(gs);
    __m512 grad = _mm512_setzero_ps();
    for (int64_t j = 0; j <= N; ++j) {
      float* row = W + int64_t(output_row(e, j)) * d;
      const __m512 w = _mm512_maskz_loadu_ps(mask, row);
      const __m512 g = _mm512_set1_ps(gs[j]);
      grad = _mm512_add_ps(grad, _mm512_mul_ps(g, w));
      const __m512 step = _mm512_sub_ps(_mm512_mul_ps(g, ctx), _mm512_mul_ps(fr, w));
      _mm512_mask_storeu_ps(row, mask, _mm512_add_ps(w, _mm512_mul_ps(fl, step)));
    }
    const __m512 av = _mm512_maskz_loadu_ps(mask, a);
    _mm512_mask_storeu_ps(a, mask, _mm512_add_ps(av, _mm512_mul_ps(fl, _mm512_sub_ps(_mm512_mul_ps(a1, grad), _mm512_mul_ps(fr, av)))));
    if (use_b) {
      const __m512 bv = _mm512_maskz_loadu_ps(mask, b);
      _mm512_mask_storeu_ps(b, mask, _mm512_add_ps(bv, _mm512_mul_ps(fl, _mm512_sub_ps(_mm512_mul_ps(a2, grad), _mm512_mul_ps(fr, bv)))));
    }
    return double(loss);
  }
#endif

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
    const float loss = N < 16 ? gradients_of_dots16(gs) : gradients_of_dots(gs);
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
  // Scratch rows per thread (c, ĉ, t; and the fast variant's N + 1 dot products), reused across examples.
  const size_t scratch_size = size_t(3 * sg.d + (kFast ? sg.N + 1 : 0));
  std::vector<std::vector<float>> scratch(size_t(nthreads), std::vector<float>(scratch_size, 0.0f));
  const auto example = [&](int64_t e, int tid) {
    if constexpr (kFast) return sg.example_fast<kExtra>(e, scratch[size_t(tid)].data());
    else return sg.example<kExtra>(e, scratch[size_t(tid)].data());
  };
  if (!hogwild) {
    std::vector<double>& terms = item_terms(n);
    thread_local OrderedChoice choice;  // this variant's pool-or-caller timing (run_in_row_order)
    run_in_row_order(
        n, total_keys, kOrderedChunk, ordered_in_series ? n + 1 : 2 * kOrderedChunk, choice,
        [&](int64_t e, auto&& emit) {
          emit(row_key(0, sg.ca[e]));
          if (sg.use_b) emit(row_key(1, sg.cb[e]));
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
    return sum_in_order(terms, n);
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

/**
 * The category batch with `parts` ≥ 2, not Hogwild (common/part_copies.h): example e reads and
 * writes part ⌊e/64⌋ mod parts' copy of the category rows; a, b and the output rows stay shared
 * and get their updates in batch order (run_in_part_order: only their keys order the examples),
 * and the copies are merged into X. Each part first checks its examples' category lists (nnz
 * entries in extraIndices, Rx rows) and plans them on its own thread; an invalid list stops the
 * call before any write: returns false. Else sets `total` to the loss terms' sum in batch order.
 * Each example runs the default arithmetic (`fast` with categories is the default loop too).
 */
bool run_batch_in_parts(const SkipgramBatch& sg, int64_t n, int parts, bool ordered_in_series, bool copy_all, int64_t nnz, int64_t rx, double& total) {
  const int nthreads = ThreadPool::instance().size();
  std::vector<std::vector<float>> scratch(size_t(nthreads), std::vector<float>(size_t(3 * sg.d), 0.0f));
  CategoryParts& split = CategoryParts::for_this_thread();
  split.begin(sg.X, rx, sg.d, parts, copy_all);
  std::vector<double>& terms = item_terms(n);
  const int32_t* const xp = sg.xp;
  const int32_t* const xi = sg.xi;
  const bool ok = run_in_part_order(
      n, parts, n * ((sg.use_b ? 2 : 1) + sg.N + 1), ordered_in_series ? n + 1 : 2 * kPartChunk,
      [&](int64_t e, auto&& emit) {
        emit(row_key(0, sg.ca[e]));
        if (sg.use_b) emit(row_key(1, sg.cb[e]));
        for (int64_t j = 0; j <= sg.N; ++j) emit(row_key(2, sg.output_row(e, j)));
      },
      [&](int part) {
        split.begin_plan(part);
        for (int64_t b = int64_t(part) * kPartChunk; b < n; b += int64_t(parts) * kPartChunk) {
          const int64_t end = std::min(n, b + kPartChunk);
          for (int64_t e = b; e < end; ++e) {
            // The lists are random reads of two large arrays, each behind the other: fetch
            // example e + 8's offsets and example e + 4's lists ahead.
            for (int64_t j = 0; j <= sg.N; ++j) {
              if (e + 8 < end) prefetch_read(xp + sg.output_row(e + 8, j));
              if (e + 4 < end) prefetch_read(xi + xp[sg.output_row(e + 4, j)]);
            }
            for (int64_t j = 0; j <= sg.N; ++j) {
              if (!split.plan_list(part, xp, xi, sg.output_row(e, j), nnz)) return false;
            }
          }
        }
        return true;
      },
      [&](int64_t e, int64_t end, int tid, int part) {
        const PartRows rows = split.rows(part);
        if (e + kPrefetchDistance < end) {
          const int64_t ahead = e + kPrefetchDistance;
          sg.prefetch<false>(ahead);
          for (int64_t j = 0; j <= sg.N; ++j) {
            const int32_t row = sg.output_row(ahead, j);
            rows.prefetch(xi, xp[row], xp[row + 1]);
          }
        }
        terms[size_t(e)] = sg.example_on<true>(e, scratch[size_t(tid)].data(), rows);
      },
      [&](int part) { split.merge(part); });
  if (!ok) return false;
  total = sum_in_order(terms, n);
  return true;
}

/** The inputs after parsing, and the call's shared checks and run; returns the mean loss. */
struct SkipgramCall {
  const char* K;
  Span<float> A, B, W, X;
  Span<int32_t> xp, xi, ca, cb, targets;
  int64_t d, N;
  double alpha1, alpha2, beta, lr, reg;
  bool hogwild, fast;
  int parts;  // the category path's parts (ignored without categories or under hogwild)

  /** Arguments 0–9 (tables, category map, dim, ids) of both kernels. */
  static SkipgramCall parse_head(const Napi::CallbackInfo& info, const char* K) {
    SkipgramCall c{};
    c.K = K;
    c.A = array_arg<float>(info, 0, K, "contextA");
    c.B = array_arg<float>(info, 1, K, "contextB");
    c.W = array_arg<float>(info, 2, K, "output");
    c.X = array_arg<float>(info, 3, K, "extra");
    c.xp = array_arg<int32_t>(info, 4, K, "extraIndptr");
    c.xi = array_arg<int32_t>(info, 5, K, "extraIndices");
    c.d = int_arg(info, 6, K, "dim", 1, 1 << 20);
    c.ca = array_arg<int32_t>(info, 7, K, "ctxA");
    c.cb = array_arg<int32_t>(info, 8, K, "ctxB", int64_t(c.ca.size));
    c.targets = array_arg<int32_t>(info, 9, K, "targets", int64_t(c.ca.size));
    return c;
  }

  /** The five numbers, two flags and parts from argument `at` on: α1, α2, β, lr, λ, hogwild, fast, parts (default 1). */
  void parse_attrs(const Napi::CallbackInfo& info, size_t at) {
    alpha1 = number_arg(info, at, K, "alpha1");
    alpha2 = number_arg(info, at + 1, K, "alpha2");
    beta = number_arg(info, at + 2, K, "extraWeight");
    lr = number_arg(info, at + 3, K, "lr");
    reg = number_arg(info, at + 4, K, "reg");
    hogwild = info.Length() > at + 5 && info[at + 5].ToBoolean().Value();
    fast = info.Length() > at + 6 && info[at + 6].ToBoolean().Value();
    parts = info.Length() > at + 7 && !info[at + 7].IsUndefined() ? int(int_arg(info, at + 7, K, "parts", 1, kMaxParts)) : 1;
  }

  /** Checks shapes and ids against the tables, then runs the batch with negatives `negs` [n·N]. */
  double run(Napi::Env env, const int32_t* negs_data, size_t negs_size) const {
    const std::string k = K;
    const Span<int32_t> negs{const_cast<int32_t*>(negs_data), negs_size};
    const int64_t n = int64_t(ca.size);
    if (A.size % size_t(d) != 0 || B.size % size_t(d) != 0 || W.size % size_t(d) != 0 || X.size % size_t(d) != 0) {
      fail(env, k + ": tables are not whole rows of the given dim");
    }
    const int64_t rows_out = int64_t(W.size) / d;
    // The category inputs are present when extraIndptr is (an extra table of 0 rows is valid: every list empty).
    const bool has_extra = xp.size != 0;
    check_ids(env, ca, int64_t(A.size) / d, K, "contextA row");
    check_ids(env, cb, int64_t(B.size) / d, K, "contextB row");
    check_ids(env, targets, rows_out, K, "target");
    check_ids(env, negs, rows_out, K, "negative");
    const bool use_b = alpha2 != 0 || reg != 0;
    int64_t total_keys = n * ((use_b ? 2 : 1) + (N + 1));
    const int64_t rx = int64_t(X.size) / d;
    const int64_t nnz = int64_t(xi.size);
    // Checks every category list the batch reaches (only those: a scan of the whole map costs
    // O(output rows) per call) and counts their rows.
    const auto check_category_lists = [&]() {
      for (const Span<int32_t>* touched : {&targets, &negs}) {
        for (size_t i = 0; i < touched->size; ++i) {
          const int32_t r = (*touched)[i];
          const int32_t lo = xp[size_t(r)], hi = xp[size_t(r) + 1];
          if (!(lo <= hi && lo >= 0 && hi <= nnz)) fail(env, k + ": the category list of output row " + std::to_string(r) + " is not a range of extraIndices");
          for (int32_t q = lo; q < hi; ++q) {
            if (xi[size_t(q)] < 0 || xi[size_t(q)] >= rx) {
              fail(env, k + ": extra row " + std::to_string(xi[size_t(q)]) + " of output row " + std::to_string(r) + " is out of range");
            }
          }
          total_keys += hi - lo;
        }
      }
    };
    const bool in_parts = has_extra && parts > 1 && !hogwild;
    if (has_extra) {
      if (int64_t(xp.size) != rows_out + 1) fail(env, k + ": extraIndptr must have one more entry than the output rows");
      if (xp[0] != 0 || xp[size_t(rows_out)] != nnz) fail(env, k + ": extraIndptr must run from 0 to the length of extraIndices");
      // With parts the parts check their own examples' lists, on their threads (run_batch_in_parts).
      if (!in_parts) check_category_lists();
    }

    const SkipgramBatch sg{A.data, B.data, W.data, X.data, xp.data, xi.data, ca.data, cb.data, targets.data, negs_data, d, N, alpha1, alpha2, beta, lr, reg, use_b,
                           skipgram_factors(alpha1, alpha2, lr, reg)};
    // Tables that are views of one buffer (distinct tensors, but they could share memory): run in order.
    const Span<float>* tables[] = {&A, &B, &W, &X};
    bool shared = false;
    for (int i = 0; i < 4; ++i) {
      for (int j = i + 1; j < 4; ++j) shared = shared || spans_overlap(*tables[i], *tables[j]);
    }
    double total;
    if (in_parts) {
      const bool copy_all = spans_overlap(X, A) || spans_overlap(X, B) || spans_overlap(X, W);
      if (!run_batch_in_parts(sg, n, parts, shared, copy_all, nnz, rx, total)) {
        check_category_lists();  // throws the serial check's message (nothing was written)
        fail(env, k + ": invalid category lists");
      }
    } else if (fast) total = has_extra ? run_batch<true, true>(sg, n, hogwild, total_keys, shared) : run_batch<false, true>(sg, n, hogwild, total_keys, shared);
    else total = has_extra ? run_batch<true, false>(sg, n, hogwild, total_keys, shared) : run_batch<false, false>(sg, n, hogwild, total_keys, shared);
    return n > 0 ? total / double(n) : 0.0;
  }
};

}  // namespace

Napi::Value skipgram_step(const Napi::CallbackInfo& info) {
  SkipgramCall call = SkipgramCall::parse_head(info, "skipgram_step");
  const int64_t n = int64_t(call.ca.size);
  call.N = int_arg(info, 11, call.K, "negativesPerExample", 0, 1 << 20);
  const Span<int32_t> negs = array_arg<int32_t>(info, 10, call.K, "negatives", n * call.N);
  call.parse_attrs(info, 12);
  return Napi::Number::New(info.Env(), call.run(info.Env(), negs.data, negs.size));
}

Napi::Value skipgram_sample_step(const Napi::CallbackInfo& info) {
  SkipgramCall call = SkipgramCall::parse_head(info, "skipgram_sample_step");
  const Napi::Env env = info.Env();
  const int64_t n = int64_t(call.ca.size);
  const Span<float> prob = array_arg<float>(info, 10, call.K, "prob");
  const Span<int32_t> alias = array_arg<int32_t>(info, 11, call.K, "alias", int64_t(prob.size));
  call.N = int_arg(info, 12, call.K, "negatives", 0, 1 << 20);
  const PhiloxKey key{uint32_t(int_arg(info, 13, call.K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 14, call.K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 15, call.K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 16, call.K, "counter", 0, 9007199254740991LL));
  call.parse_attrs(info, 17);
  if (prob.size == 0 || prob.size > 2147483647u) fail(env, "skipgram_sample_step: the alias table must hold 1 to 2^31 - 1 entries");
  const uint32_t V = uint32_t(prob.size);
  // The negatives live in a per-thread buffer kept between calls: no allocation, no page
  // faults, no array handed to JS per batch.
  thread_local std::vector<int32_t> negs;
  const size_t count = size_t(n * call.N);
  if (negs.size() < count) negs.resize(count);
  alias_draws(prob.data, alias.data, V, key, stream, counter, 1, int64_t(count), negs.data());
  check_alias_draws(env, call.K, negs.data(), int64_t(count), alias.data, V);  // before any update
  return Napi::Number::New(env, call.run(env, negs.data(), count));
}

}  // namespace rec

REC_EXPORT(skipgram_step);
REC_EXPORT(skipgram_sample_step);
