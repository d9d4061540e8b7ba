// Machine bounds measured by apps/bench/src/kernels.ts in the same run as the
// kernels, with the pool's current thread count:
//
//   bound_stream_triad(n, reps)          a[i] = b[i] + s·c[i] over n floats
//                                        (STREAM convention: 3·4·n bytes per pass,
//                                        write-allocate traffic not counted) → GB/s
//   bound_gather_scatter(table, width, rows, reps)
//                                        for each listed row r: table[r] += 1
//                                        (read and write of one width-float row;
//                                        2·4·width bytes per row), rows claimed
//                                        in chunks of 128 by the awake threads
//                                        (parallel_chunks, as the optimizers and
//                                        bpr_step run), the row t + 8 prefetched
//                                        → GB/s
//   bound_bpr_loop(P, Q, d, users, pos, neg, lr, reg, reps)
//                                        the hand-written LearnBPR loop a user would write
//                                        in C: per triple x = ⟨p_u, q_i − q_j⟩ in one
//                                        8-float vector accumulator (FMA allowed, any
//                                        order), g = 1/(1 + expf(x)), the three row
//                                        updates in f32; no loss, no bitwise contract, no
//                                        id checks; rows of triple t + 8 prefetched;
//                                        triples in chunks of 64 over the awake threads
//                                        (Hogwild). In place on P and Q → triples/s
//   bound_adagrad_loop(P, G, width, rows, values, lr, eps, reps)
//                                        the row-sparse Adagrad loop a user would write in
//                                        C: for each listed row r with gradient row j,
//                                        G_r += g², p_r −= lr·g / (√G_r + ε) in f32; no merge
//                                        of repeated rows, no id checks, no parity contract;
//                                        rows of entry j + 8 prefetched (prefetchw); entries
//                                        in chunks of 128 over the awake threads (Hogwild on
//                                        repeats). In place on P and G → rows/s
//   bound_sgns_loop(V, W, d, contexts, positives, negatives, N, lr, reps)
//                                        word2vec's skip-gram negative-sampling loop as a
//                                        user would write it in C: per pair, for the
//                                        positive and its N negatives x = ⟨v, w_k⟩ (one
//                                        vector accumulator, FMA allowed), g = lr·(label −
//                                        σ(x)) with expf, the context's gradient summed
//                                        while each w_k is updated, then v updated; no
//                                        loss, no bitwise contract, no id checks; the rows
//                                        of pair t + 4 prefetched; pairs in chunks of 64
//                                        over the awake threads (Hogwild). In place → pairs/s
//   bound_fma_peak(iterations)           12 independent vector FMA chains per
//                                        thread in the host's widest float vector
//                                        (GCC/Clang vector extensions) → GFLOP/s
//
// Each returns the best of its repetitions. These are the denominators of the
// "% of bound" column: memory-bound kernels against gather+scatter or triad,
// dense ones against FMA peak.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <initializer_list>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/prefetch.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/** The best rate of `reps` timed calls of run(): `units` per second. */
template <typename Run>
double best_rate(int64_t reps, double units, Run&& run) {
  double best = 0;
  for (int64_t r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    run();
    best = std::max(best, units / seconds_since(t0));
  }
  return best;
}

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#else
constexpr int kLanes = 8;
#endif
typedef float vfloat __attribute__((vector_size(kLanes * sizeof(float))));

/** ⟨a, b⟩ over d floats in one vector accumulator (any order, FMA allowed), as a hand-written loop sums. */
inline float dot_lanes(const float* a, const float* b, int64_t d) {
  vfloat acc = {};
  int64_t c = 0;
  for (; c + kLanes <= d; c += kLanes) {
    vfloat x, y;
    __builtin_memcpy(&x, a + c, sizeof x);
    __builtin_memcpy(&y, b + c, sizeof y);
    acc += x * y;
  }
  float sum = 0;
  for (int l = 0; l < kLanes; ++l) sum += acc[l];
  for (; c < d; ++c) sum += a[c] * b[c];
  return sum;
}

}  // namespace

Napi::Value bound_stream_triad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_stream_triad";
  const int64_t n = int_arg(info, 0, K, "n", 1, int64_t(1) << 32);
  const int64_t reps = int_arg(info, 1, K, "reps", 1, 1000);
  std::vector<float> a(static_cast<size_t>(n)), b(static_cast<size_t>(n)), c(static_cast<size_t>(n));
  // First touch from the threads that will use each slice.
  parallel_for(n, 1, [&](int64_t lo, int64_t hi, int) {
    for (int64_t i = lo; i < hi; ++i) {
      a[i] = 0.0f;
      b[i] = 1.0f;
      c[i] = 2.0f;
    }
  });
  const float s = 3.0f;
  const double bytes_per_second = best_rate(reps, 12.0 * double(n), [&] {
    parallel_for(n, 1, [&](int64_t lo, int64_t hi, int) {
      float* __restrict pa = a.data();
      const float* __restrict pb = b.data();
      const float* __restrict pc = c.data();
      for (int64_t i = lo; i < hi; ++i) pa[i] = pb[i] + s * pc[i];
    });
  });
  volatile float sink = a[size_t(n / 2)];
  (void)sink;
  return Napi::Number::New(info.Env(), bytes_per_second / 1e9);
}

Napi::Value bound_gather_scatter(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_gather_scatter";
  const Span<float> table = array_arg<float>(info, 0, K, "table");
  const int64_t width = int_arg(info, 1, K, "width", 1, 1 << 20);
  const Span<int32_t> rows = array_arg<int32_t>(info, 2, K, "rows");
  const int64_t reps = int_arg(info, 3, K, "reps", 1, 1000);
  check_ids(info.Env(), rows, int64_t(table.size) / width, K, "row");
  const double bytes_per_second = best_rate(reps, 8.0 * double(width) * double(rows.size), [&] {
    parallel_chunks(int64_t(rows.size), 128, 256, [&](int64_t lo, int64_t hi, int) {
      for (int64_t t = lo; t < hi; ++t) {
        if (t + 8 < hi) {
          prefetch_row(table.data + int64_t(rows[t + 8]) * width, width);
        }
        float* row = table.data + int64_t(rows[t]) * width;
        for (int64_t c = 0; c < width; ++c) row[c] += 1.0f;
      }
    });
  });
  return Napi::Number::New(info.Env(), bytes_per_second / 1e9);
}

Napi::Value bound_bpr_loop(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_bpr_loop";
  const Span<float> P = array_arg<float>(info, 0, K, "userFactors");
  const Span<float> Q = array_arg<float>(info, 1, K, "itemFactors");
  const int64_t d = int_arg(info, 2, K, "dim", 1, 1 << 20);
  const Span<int32_t> users = array_arg<int32_t>(info, 3, K, "users");
  const Span<int32_t> pos = array_arg<int32_t>(info, 4, K, "positives", int64_t(users.size));
  const Span<int32_t> neg = array_arg<int32_t>(info, 5, K, "negatives", int64_t(users.size));
  const float lr = float(number_arg(info, 6, K, "lr"));
  const float reg = float(number_arg(info, 7, K, "reg"));
  const int64_t reps = int_arg(info, 8, K, "reps", 1, 1000);
  check_ids(info.Env(), users, int64_t(P.size) / d, K, "user");
  check_ids(info.Env(), pos, int64_t(Q.size) / d, K, "positive item");
  check_ids(info.Env(), neg, int64_t(Q.size) / d, K, "negative item");
  const int64_t n = int64_t(users.size);
  const double best = best_rate(reps, double(n), [&] {
    parallel_chunks(n, 64, 128, [&](int64_t lo, int64_t hi, int) {
      for (int64_t t = lo; t < hi; ++t) {
        if (t + 8 < hi) {
          for (const float* f : {P.data + int64_t(users[t + 8]) * d, Q.data + int64_t(pos[t + 8]) * d, Q.data + int64_t(neg[t + 8]) * d}) prefetch_row(f, d);
        }
        float* __restrict pu = P.data + int64_t(users[t]) * d;
        float* qi = Q.data + int64_t(pos[t]) * d;
        float* qj = Q.data + int64_t(neg[t]) * d;
        vfloat acc = {};
        int64_t c = 0;
        for (; c + kLanes <= d; c += kLanes) {
          vfloat a, b, p;
          __builtin_memcpy(&p, pu + c, sizeof p);
          __builtin_memcpy(&a, qi + c, sizeof a);
          __builtin_memcpy(&b, qj + c, sizeof b);
          acc += p * (a - b);
        }
        float x = 0;
        for (int l = 0; l < kLanes; ++l) x += acc[l];
        for (; c < d; ++c) x += pu[c] * (qi[c] - qj[c]);
        const float g = 1.0f / (1.0f + std::exp(x));
        for (c = 0; c < d; ++c) {
          const float p = pu[c], a = qi[c], b = qj[c];
          pu[c] = p + lr * (g * (a - b) - reg * p);
          qi[c] = a + lr * (g * p - reg * a);
          qj[c] = b + lr * (-g * p - reg * b);
        }
      }
    });
  });
  return Napi::Number::New(info.Env(), best);
}

Napi::Value bound_adagrad_loop(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_adagrad_loop";
  const Span<float> P = array_arg<float>(info, 0, K, "param");
  const Span<float> G = array_arg<float>(info, 1, K, "sum", int64_t(P.size));
  const int64_t d = int_arg(info, 2, K, "width", 1, 1 << 20);
  const Span<int32_t> rows = array_arg<int32_t>(info, 3, K, "rows");
  const Span<float> values = array_arg<float>(info, 4, K, "values", int64_t(rows.size) * d);
  const float lr = float(number_arg(info, 5, K, "lr"));
  const float eps = float(number_arg(info, 6, K, "eps"));
  const int64_t reps = int_arg(info, 7, K, "reps", 1, 1000);
  check_ids(info.Env(), rows, int64_t(P.size) / d, K, "row");
  const int64_t n = int64_t(rows.size);
  const double best = best_rate(reps, double(n), [&] {
    parallel_chunks(n, 128, 256, [&](int64_t lo, int64_t hi, int) {
      for (int64_t t = lo; t < hi; ++t) {
        if (t + 8 < hi) {
          for (const float* f : {P.data + int64_t(rows[t + 8]) * d, G.data + int64_t(rows[t + 8]) * d}) prefetch_row(f, d);
        }
        float* __restrict p = P.data + int64_t(rows[t]) * d;
        float* __restrict acc = G.data + int64_t(rows[t]) * d;
        const float* __restrict g = values.data + t * d;
        for (int64_t c = 0; c < d; ++c) {
          const float a = acc[c] + g[c] * g[c];
          acc[c] = a;
          p[c] -= lr * g[c] / (std::sqrt(a) + eps);
        }
      }
    });
  });
  return Napi::Number::New(info.Env(), best);
}

Napi::Value bound_sgns_loop(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_sgns_loop";
  const Span<float> V = array_arg<float>(info, 0, K, "contextTable");
  const Span<float> W = array_arg<float>(info, 1, K, "outputTable");
  const int64_t d = int_arg(info, 2, K, "dim", 1, 1 << 20);
  const Span<int32_t> ctx = array_arg<int32_t>(info, 3, K, "contexts");
  const Span<int32_t> pos = array_arg<int32_t>(info, 4, K, "positives", int64_t(ctx.size));
  const int64_t N = int_arg(info, 6, K, "negatives per pair", 0, 1 << 20);
  const Span<int32_t> neg = array_arg<int32_t>(info, 5, K, "negatives", int64_t(ctx.size) * N);
  const float lr = float(number_arg(info, 7, K, "lr"));
  const int64_t reps = int_arg(info, 8, K, "reps", 1, 1000);
  check_ids(info.Env(), ctx, int64_t(V.size) / d, K, "context");
  check_ids(info.Env(), pos, int64_t(W.size) / d, K, "positive");
  check_ids(info.Env(), neg, int64_t(W.size) / d, K, "negative");
  const int64_t n = int64_t(ctx.size);
  constexpr int64_t kAhead = 4;
  const double best = best_rate(reps, double(n), [&] {
    parallel_chunks(n, 64, 128, [&](int64_t lo, int64_t hi, int) {
      std::vector<float> gv(static_cast<size_t>(d));
      const auto target = [&](int64_t t, int64_t k) { return W.data + int64_t(k == 0 ? pos[t] : neg[t * N + k - 1]) * d; };
      for (int64_t t = lo; t < hi; ++t) {
        if (t + kAhead < hi) {
          prefetch_row(V.data + int64_t(ctx[t + kAhead]) * d, d);
          for (int64_t k = 0; k <= N; ++k) prefetch_row(target(t + kAhead, k), d);
        }
        float* __restrict v = V.data + int64_t(ctx[t]) * d;
        std::fill(gv.begin(), gv.end(), 0.0f);
        for (int64_t k = 0; k <= N; ++k) {
          float* __restrict w = target(t, k);
          const float g = lr * ((k == 0 ? 1.0f : 0.0f) - 1.0f / (1.0f + std::exp(-dot_lanes(v, w, d))));
          for (int64_t c = 0; c < d; ++c) {
            gv[size_t(c)] += g * w[c];
            w[c] += g * v[c];
          }
        }
        for (int64_t c = 0; c < d; ++c) v[c] += gv[size_t(c)];
      }
    });
  });
  return Napi::Number::New(info.Env(), best);
}

Napi::Value bound_fma_peak(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_fma_peak";
  const int64_t iterations = int_arg(info, 0, K, "iterations", 1, int64_t(1) << 40);
  constexpr int kChains = 12;
  const int nthreads = ThreadPool::instance().size();
  std::vector<float> sinks(size_t(nthreads), 0.0f);
  const auto t0 = std::chrono::steady_clock::now();
  parallel_for(nthreads, 1, [&](int64_t, int64_t, int tid) {
    vfloat acc[kChains];
    vfloat mul, add;
    for (int l = 0; l < kLanes; ++l) {
      mul[l] = 0.999999f;
      add[l] = 1e-7f * float(tid + 1);
    }
    for (int c = 0; c < kChains; ++c) acc[c] = add * float(c + 1);
    // Twelve named locals, not the array: GCC kept an indexed array on the stack,
    // so every FMA waited on a store-to-load round trip and the probe read ~¼ of
    // the real peak (a tiled matmul then measured at 300 % of "peak").
    vfloat a0 = acc[0], a1 = acc[1], a2 = acc[2], a3 = acc[3], a4 = acc[4], a5 = acc[5];
    vfloat a6 = acc[6], a7 = acc[7], a8 = acc[8], a9 = acc[9], a10 = acc[10], a11 = acc[11];
    const int64_t count = iterations;
    for (int64_t i = 0; i < count; ++i) {
      a0 = a0 * mul + add; a1 = a1 * mul + add; a2 = a2 * mul + add; a3 = a3 * mul + add;
      a4 = a4 * mul + add; a5 = a5 * mul + add; a6 = a6 * mul + add; a7 = a7 * mul + add;
      a8 = a8 * mul + add; a9 = a9 * mul + add; a10 = a10 * mul + add; a11 = a11 * mul + add;
#if defined(__x86_64__)
      // Keeps the chains in registers and the loop from being folded away.
      __asm__ volatile("" : "+x"(a0), "+x"(a1), "+x"(a2), "+x"(a3), "+x"(a4), "+x"(a5),
                       "+x"(a6), "+x"(a7), "+x"(a8), "+x"(a9), "+x"(a10), "+x"(a11));
#endif
    }
    acc[0] = a0; acc[1] = a1; acc[2] = a2; acc[3] = a3; acc[4] = a4; acc[5] = a5;
    acc[6] = a6; acc[7] = a7; acc[8] = a8; acc[9] = a9; acc[10] = a10; acc[11] = a11;
    float s = 0;
    for (int c = 0; c < kChains; ++c)
      for (int l = 0; l < kLanes; ++l) s += acc[c][l];
    sinks[size_t(tid)] = s;
  });
  const double elapsed = seconds_since(t0);
  volatile float sink = sinks[0];
  (void)sink;
  return Napi::Number::New(info.Env(), 2.0 * kLanes * kChains * double(iterations) * nthreads / elapsed / 1e9);
}

}  // namespace rec

REC_EXPORT(bound_stream_triad);
REC_EXPORT(bound_adagrad_loop);
REC_EXPORT(bound_sgns_loop);
REC_EXPORT(bound_gather_scatter);
REC_EXPORT(bound_bpr_loop);
REC_EXPORT(bound_fma_peak);
