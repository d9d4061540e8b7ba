// Machine bounds measured by apps/bench/src/kernels.ts in the same run as the
// kernels, with the pool's current thread count:
//
//   bound_stream_triad(n, reps)          a[i] = b[i] + s·c[i] over n floats
//                                        (STREAM convention: 3·4·n bytes per pass,
//                                        write-allocate traffic not counted) → GB/s
//   bound_gather_scatter(table, width, rows, reps)
//                                        for each listed row r: table[r] += 1
//                                        (read and write of one width-float row;
//                                        2·4·width bytes per row), rows split
//                                        statically, the row t + 8 prefetched as
//                                        the kernels do → GB/s
//   bound_fma_peak(iterations)           12 independent vector FMA chains per
//                                        thread in the host's widest float vector
//                                        (GCC/Clang vector extensions) → GFLOP/s
//
// Each returns the best of its repetitions. These are the denominators of the
// "% of bound" column: memory-bound kernels against gather+scatter or triad,
// dense ones against FMA peak.
#include <algorithm>
#include <chrono>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#else
constexpr int kLanes = 8;
#endif
typedef float vfloat __attribute__((vector_size(kLanes * sizeof(float))));

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
  double best = 0;
  for (int64_t r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    parallel_for(n, 1, [&](int64_t lo, int64_t hi, int) {
      float* __restrict pa = a.data();
      const float* __restrict pb = b.data();
      const float* __restrict pc = c.data();
      for (int64_t i = lo; i < hi; ++i) pa[i] = pb[i] + s * pc[i];
    });
    best = std::max(best, 12.0 * double(n) / seconds_since(t0) / 1e9);
  }
  volatile float sink = a[size_t(n / 2)];
  (void)sink;
  return Napi::Number::New(info.Env(), best);
}

Napi::Value bound_gather_scatter(const Napi::CallbackInfo& info) {
  constexpr const char* K = "bound_gather_scatter";
  const Span<float> table = array_arg<float>(info, 0, K, "table");
  const int64_t width = int_arg(info, 1, K, "width", 1, 1 << 20);
  const Span<int32_t> rows = array_arg<int32_t>(info, 2, K, "rows");
  const int64_t reps = int_arg(info, 3, K, "reps", 1, 1000);
  check_ids(info.Env(), rows, int64_t(table.size) / width, K, "row");
  double best = 0;
  for (int64_t r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    parallel_for(int64_t(rows.size), 64, [&](int64_t lo, int64_t hi, int) {
      for (int64_t t = lo; t < hi; ++t) {
        if (t + 8 < hi) {
          const float* f = table.data + int64_t(rows[t + 8]) * width;
          for (int64_t c = 0; c < width; c += 16) __builtin_prefetch(f + c, 1, 3);
        }
        float* row = table.data + int64_t(rows[t]) * width;
        for (int64_t c = 0; c < width; ++c) row[c] += 1.0f;
      }
    });
    best = std::max(best, 8.0 * double(width) * double(rows.size) / seconds_since(t0) / 1e9);
  }
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
    for (int64_t i = 0; i < iterations; ++i) {
      for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * mul + add;
#if defined(__x86_64__)
      // Keeps the chains in registers and the loop from being folded away.
      __asm__ volatile("" : "+x"(acc[0]), "+x"(acc[1]), "+x"(acc[2]), "+x"(acc[3]), "+x"(acc[4]), "+x"(acc[5]));
#endif
    }
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
