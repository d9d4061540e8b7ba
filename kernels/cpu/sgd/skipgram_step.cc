// `skipgram_step`: one fused skip-gram-with-negative-sampling SGD pass over a
// batch of (context, target) pairs with N negatives each, in place (Mikolov et
// al. 2013b, §2.2), with MRLR's context c = α1·a + α2·b and output vectors
// t = w + β·x (category term) (Liu et al., MRLR, §3.2 Eq. 5, §3.4 Eq. 7, §3.5 Eq. 9).
// Reference and full contract: packages/core/src/kernels/sgd/skipgram_step.ts.
//
//   per example: c = α1·a + α2·b;  for j in [target, negatives…], y = [j = target]:
//     t = w_j + β·x_{extra[j]};  s = c·t;  g = y − σ(s);  ĉ += g·t
//     w_j += lr·(g·c − λ·w_j);   x += lr·(g·β·c − λ·x)
//   then a += lr·(α1·ĉ − λ·a),  b += lr·(α2·ĉ − λ·b);   loss = mean Σ_j softplus(∓s)
//
// Layouts: A f32 [Ra·d], B f32 [Rb·d], W f32 [Ro·d], X f32 [Rx·d] or empty,
// extraOf i32 [Ro] or empty (−1 = none), ctxA/ctxB/targets i32 [b], negatives i32 [b·N].
// Numerics: each example exactly as the reference computes it — c, t, ĉ and
// each dot product in f64 (s summed sequentially), σ through Math.exp's own
// algorithm (common/js_exp.h), rows rounded to f32 on store, no FMA
// contraction — so the tables equal the js reference bit for bit. The loss
// terms use the C library's log1p (V8's may differ by an f64 ulp), summed in
// f64 in batch order (deterministic) or per thread (Hogwild).
// Threading, two variants (attribute `hogwild`):
// - deterministic (default): common/row_order.h — an example waits for the
//   last earlier example that touched any of its rows (a, b, its N + 1 output
//   rows and their extra rows), so every row gets its updates in batch order:
//   bit-identical to the reference at any REC_THREADS, scheduling and load.
// - Hogwild (as word2vec): examples in contiguous slices over the pool, rows
//   updated without locks, so with more than one thread the result depends on
//   timing. With one thread both variants run the examples in order.
// Memory: per example 2 + (N + 1)·(1 or 2) rows read and written; the rows of
// example e + 4 are prefetched (within the thread's chunk or slice).
#include <cmath>
#include <initializer_list>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/js_exp.h"
#include "../common/row_order.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kPrefetchDistance = 4;
/** Examples per chunk in the deterministic schedule. */
constexpr int64_t kOrderedChunk = 16;


/** Prefetches the context, output rows of example f (their extra rows are few and stay cached). */
inline void prefetch_example(const float* A, const float* B, const float* W, const int32_t* ca, const int32_t* cb, const int32_t* targets,
                             const int32_t* negs, int64_t f, int64_t d, int64_t N) {
  prefetch_row(A + int64_t(ca[f]) * d, d);
  prefetch_row(B + int64_t(cb[f]) * d, d);
  prefetch_row(W + int64_t(targets[f]) * d, d);
  for (int64_t j = 0; j < N; ++j) prefetch_row(W + int64_t(negs[f * N + j]) * d, d);
}

inline double softplus(double z) { return z > 0 ? z + std::log1p(js_exp(-z)) : std::log1p(js_exp(z)); }

}  // namespace

Napi::Value skipgram_step(const Napi::CallbackInfo& info) {
  constexpr const char* K = "skipgram_step";
  const Napi::Env env = info.Env();
  const Span<float> A = array_arg<float>(info, 0, K, "contextA");
  const Span<float> B = array_arg<float>(info, 1, K, "contextB");
  const Span<float> W = array_arg<float>(info, 2, K, "output");
  const Span<float> X = array_arg<float>(info, 3, K, "extra");
  const Span<int32_t> extra_of = array_arg<int32_t>(info, 4, K, "extraOfOutput");
  const int64_t d = int_arg(info, 5, K, "dim", 1, 1 << 20);
  const Span<int32_t> ca = array_arg<int32_t>(info, 6, K, "ctxA");
  const int64_t n = int64_t(ca.size);
  const Span<int32_t> cb = array_arg<int32_t>(info, 7, K, "ctxB", n);
  const Span<int32_t> targets = array_arg<int32_t>(info, 8, K, "targets", n);
  const int64_t N = int_arg(info, 10, K, "negativesPerExample", 0, 1 << 20);
  const Span<int32_t> negs = array_arg<int32_t>(info, 9, K, "negatives", n * N);
  const double alpha1 = number_arg(info, 11, K, "alpha1");
  const double alpha2 = number_arg(info, 12, K, "alpha2");
  const double beta = number_arg(info, 13, K, "extraWeight");
  const double lr = number_arg(info, 14, K, "lr");
  const double reg = number_arg(info, 15, K, "reg");
  if (A.size % size_t(d) != 0 || B.size % size_t(d) != 0 || W.size % size_t(d) != 0 || X.size % size_t(d) != 0) {
    fail(env, "skipgram_step: tables are not whole rows of the given dim");
  }
  const int64_t rows_out = int64_t(W.size) / d;
  const bool has_extra = X.size != 0;
  if (has_extra && int64_t(extra_of.size) != rows_out) fail(env, "skipgram_step: extraOfOutput must have one entry per output row");
  check_ids(env, ca, int64_t(A.size) / d, K, "contextA row");
  check_ids(env, cb, int64_t(B.size) / d, K, "contextB row");
  check_ids(env, targets, rows_out, K, "target");
  check_ids(env, negs, rows_out, K, "negative");
  if (has_extra) {
    const int64_t rx = int64_t(X.size) / d;
    // Only the rows this batch touches: a scan of the whole map costs O(output rows) per call.
    for (const Span<int32_t>* touched : {&targets, &negs}) {
      for (size_t i = 0; i < touched->size; ++i) {
        const int32_t r = (*touched)[i];
        if (extra_of[size_t(r)] < -1 || extra_of[size_t(r)] >= rx) {
          fail(env, "skipgram_step: extra row " + std::to_string(extra_of[size_t(r)]) + " of output row " + std::to_string(r) + " is out of range");
        }
      }
    }
  }

  const bool hogwild = info.Length() > 16 && info[16].ToBoolean().Value();
  // Scratch rows per thread (c, ĉ, t), reused across examples.
  const int nthreads = ThreadPool::instance().size();
  std::vector<std::vector<double>> scratch(size_t(nthreads), std::vector<double>(size_t(3 * d)));
  /** One example, the reference's arithmetic operation for operation; returns its loss terms' sum. */
  const auto example = [&](int64_t e, int tid) {
    double* ctx = scratch[size_t(tid)].data();
    double* grad = ctx + d;
    double* t = grad + d;
    float* a = A.data + int64_t(ca[e]) * d;
    float* b = B.data + int64_t(cb[e]) * d;
    for (int64_t k = 0; k < d; ++k) {
      ctx[k] = alpha1 * double(a[k]) + alpha2 * double(b[k]);
      grad[k] = 0;
    }
    double loss = 0;
    for (int64_t j = 0; j <= N; ++j) {
      const int32_t row = j == 0 ? targets[e] : negs[e * N + j - 1];
      float* w = W.data + int64_t(row) * d;
      const int32_t xr = has_extra ? extra_of[size_t(row)] : -1;
      float* x = xr >= 0 ? X.data + int64_t(xr) * d : nullptr;
      if (x) {
        for (int64_t k = 0; k < d; ++k) t[k] = double(w[k]) + beta * double(x[k]);
      } else {
        for (int64_t k = 0; k < d; ++k) t[k] = double(w[k]);
      }
      double s = 0;
      for (int64_t k = 0; k < d; ++k) s += ctx[k] * t[k];
      const double g = (j == 0 ? 1.0 : 0.0) - 1 / (1 + js_exp(-s));
      loss += j == 0 ? softplus(-s) : softplus(s);
      for (int64_t k = 0; k < d; ++k) {
        grad[k] += g * t[k];
        const double wv = w[k];
        w[k] = float(wv + lr * (g * ctx[k] - reg * wv));
      }
      if (x) {
        for (int64_t k = 0; k < d; ++k) {
          const double xv = x[k];
          x[k] = float(xv + lr * (g * beta * ctx[k] - reg * xv));
        }
      }
    }
    for (int64_t k = 0; k < d; ++k) {
      const double av = a[k];
      a[k] = float(av + lr * (alpha1 * grad[k] - reg * av));
    }
    for (int64_t k = 0; k < d; ++k) {
      const double bv = b[k];
      b[k] = float(bv + lr * (alpha2 * grad[k] - reg * bv));
    }
    return loss;
  };
  if (!hogwild) {
    // Tables views of one buffer (they are distinct tensors, but could share memory): run in order.
    const Span<float>* tables[] = {&A, &B, &W, &X};
    bool shared = false;
    for (int i = 0; i < 4; ++i) {
      for (int k = i + 1; k < 4; ++k) {
        const Span<float>& p = *tables[i];
        const Span<float>& q = *tables[k];
        if (p.size && q.size && p.data < q.data + q.size && q.data < p.data + p.size) shared = true;
      }
    }
    std::vector<double> terms(static_cast<size_t>(n));
    run_in_row_order(
        n, 2 + 2 * (N + 1), kOrderedChunk, shared ? n + 1 : 2 * kOrderedChunk,
        [&](int64_t e, auto&& emit) {
          emit(row_key(0, ca[e]));
          emit(row_key(1, cb[e]));
          for (int64_t j = 0; j <= N; ++j) {
            const int32_t row = j == 0 ? targets[e] : negs[e * N + j - 1];
            emit(row_key(2, row));
            if (has_extra && extra_of[size_t(row)] >= 0) emit(row_key(3, extra_of[size_t(row)]));
          }
        },
        [&](int64_t e, int64_t end, int tid) {
          if (e + kPrefetchDistance < end) prefetch_example(A.data, B.data, W.data, ca.data, cb.data, targets.data, negs.data, e + kPrefetchDistance, d, N);
          terms[size_t(e)] = example(e, tid);
        });
    double total = 0;
    for (double l : terms) total += l;
    return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
  }
  std::vector<double> partial(size_t(nthreads), 0.0);
  parallel_for(n, 16, [&](int64_t begin, int64_t end, int tid) {
    double loss = 0;
    for (int64_t e = begin; e < end; ++e) {
      if (e + kPrefetchDistance < end) prefetch_example(A.data, B.data, W.data, ca.data, cb.data, targets.data, negs.data, e + kPrefetchDistance, d, N);
      loss += example(e, tid);
    }
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec
