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
// Numerics: c, ĉ and each dot product in f64 (the dot with four partial sums;
// the reference sums sequentially — they agree to ~1e-15 in s), rows rounded
// to f32 on store; softplus in its stable form; loss summed in f64.
// Threading: Hogwild (as word2vec): examples in contiguous slices over the pool,
// rows updated without locks; with one thread (setThreads(1) / REC_THREADS=1)
// the examples run in order and the result equals the reference's.
// Memory: per example 2 + (N + 1)·(1 or 2) rows read and written; the rows of
// example e + 4 are prefetched.
#include <cmath>
#include <initializer_list>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

constexpr int64_t kPrefetchDistance = 4;

inline void prefetch_row(const float* row, int64_t d) {
  for (int64_t c = 0; c < d; c += 16) __builtin_prefetch(row + c, 1, 3);
}

inline double softplus(double z) { return z > 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z)); }

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

  std::vector<double> partial(size_t(ThreadPool::instance().size()), 0.0);
  parallel_for(n, 16, [&](int64_t begin, int64_t end, int tid) {
    std::vector<double> ctx(static_cast<size_t>(d)), grad(static_cast<size_t>(d)), t(static_cast<size_t>(d));
    double loss = 0;
    for (int64_t e = begin; e < end; ++e) {
      if (e + kPrefetchDistance < end) {
        const int64_t f = e + kPrefetchDistance;
        prefetch_row(A.data + int64_t(ca[f]) * d, d);
        prefetch_row(B.data + int64_t(cb[f]) * d, d);
        prefetch_row(W.data + int64_t(targets[f]) * d, d);
        for (int64_t j = 0; j < N; ++j) prefetch_row(W.data + int64_t(negs[f * N + j]) * d, d);
      }
      float* a = A.data + int64_t(ca[e]) * d;
      float* b = B.data + int64_t(cb[e]) * d;
      for (int64_t k = 0; k < d; ++k) {
        ctx[k] = alpha1 * double(a[k]) + alpha2 * double(b[k]);
        grad[k] = 0;
      }
      for (int64_t j = 0; j <= N; ++j) {
        const int32_t row = j == 0 ? targets[e] : negs[e * N + j - 1];
        float* w = W.data + int64_t(row) * d;
        const int32_t xr = has_extra ? extra_of[size_t(row)] : -1;
        float* x = xr >= 0 ? X.data + int64_t(xr) * d : nullptr;
        double acc[4] = {0, 0, 0, 0};
        int64_t k = 0;
        if (x) {
          for (; k < d; ++k) t[k] = double(w[k]) + beta * double(x[k]);
        } else {
          for (; k < d; ++k) t[k] = double(w[k]);
        }
        for (k = 0; k + 4 <= d; k += 4) {
          for (int l = 0; l < 4; ++l) acc[l] += ctx[k + l] * t[k + l];
        }
        for (; k < d; ++k) acc[0] += ctx[k] * t[k];
        const double s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
        const double g = (j == 0 ? 1.0 : 0.0) - 1.0 / (1.0 + std::exp(-s));
        loss += j == 0 ? softplus(-s) : softplus(s);
        for (k = 0; k < d; ++k) {
          grad[k] += g * t[k];
          const double wv = w[k];
          w[k] = float(wv + lr * (g * ctx[k] - reg * wv));
        }
        if (x) {
          for (k = 0; k < d; ++k) {
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
    }
    partial[size_t(tid)] += loss;
  });
  double total = 0;
  for (double l : partial) total += l;
  return Napi::Number::New(env, n > 0 ? total / double(n) : 0.0);
}

}  // namespace rec
