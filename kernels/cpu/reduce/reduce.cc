// `reduce`: y = Σ, max or min of x over a set of axes, the reduced axes kept
// with size 1:
//
//   y[k] = ⊕_{r ∈ reduced index set} x[k, r],   ⊕ ∈ {+ (fn 0), max (fn 1), min (fn 2)}
//
// Reference and full contract: packages/core/src/kernels/reduce/reduce.ts
// (`mean` is the op `sum / count` over it, packages/core/src/ops/reduce.ts).
//
// Layouts: x and y the same dtype — f32, i32 or u32 — row-major; `shape` i32
// [rank] is x's shape, `reduced` i32 [rank] flags the reduced axes (0/1).
// Size-1 axes are dropped and neighbouring axes of the same kind merged, so
// x is [outer, mid, inner] (one run of reduced axes: the MLP towers' row sums
// and per-feature sums) or, for interleaved axes, a list of kept and reduced
// strides walked per output.
// Numerics: the reference's — an f64 accumulator per output, started at 0, −∞
// or +∞, stored once with JS typed-array semantics (common/js_numbers.h:
// f32 rounds; i32/u32 wrap modulo 2³², so an empty max stores 0). max/min
// propagate NaN and keep the first of equal values (as the reference's
// `v > acc`), so they are exact (a contiguous run is scanned in 8 lanes, the
// first zero found again when the extremum is ±0). Sums run in the
// reference's order except where one output sums a contiguous run (inner = 1):
// 8 f64 lanes there, and chunks combined in order when a few outputs cover
// the whole tensor. Integer sums are therefore exact (f64 holds them while
// |Σ| < 2⁵³); f32 sums differ from the reference's f64 sum only in f64
// rounding, i.e. by at most 1 ulp of f32 after the final rounding.
// Threading: outputs (or column blocks, or chunks of one long run) split
// statically over the pool; the result does not depend on the thread count
// except the chunked f32 sum (f64 rounding again).
#include <algorithm>
#include <cmath>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/js_numbers.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

enum Fn { kSum = 0, kMax = 1, kMin = 2 };

template <int FN>
constexpr double init_value() {
  return FN == kSum ? 0.0 : FN == kMax ? -INFINITY : INFINITY;
}

/** The reference's combine: NaN propagates through max/min, the first of equal values stays. */
template <int FN>
inline double combine(double acc, double v) {
  if (FN == kSum) return acc + v;
  if (FN == kMax) return v > acc || v != v ? v : acc;
  return v < acc || v != v ? v : acc;
}

/** max (FN = kMax) or min of a and b, NaN ignored: the vectorisable select. */
template <int FN, typename T>
inline T pick(T a, T b) {
  return FN == kMax ? (b > a ? b : a) : (b < a ? b : a);
}

/**
 * max/min of a contiguous run (n ≥ 1) in 8 lanes, exactly the reference's
 * in-order result: NaN if the run has one; else the extremum, and when that
 * is a zero, the first zero of the run (the reference keeps the first of
 * equal values, so its sign is the first zero's).
 */
template <int FN, typename T>
double extremum_run(const T* x, int64_t n) {
  T lane[8];
  float nan[8];
  for (int l = 0; l < 8; ++l) {
    lane[l] = x[0];
    nan[l] = 0;
  }
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) {
      const T v = x[i + l];
      lane[l] = pick<FN>(lane[l], v);
      nan[l] = v != v ? 1.0f : nan[l];
    }
  }
  T best = lane[0];
  bool any_nan = false;
  for (int l = 0; l < 8; ++l) {
    best = pick<FN>(best, lane[l]);
    any_nan |= nan[l] != 0;
  }
  for (; i < n; ++i) {
    best = pick<FN>(best, x[i]);
    any_nan |= x[i] != x[i];
  }
  if (any_nan) return NAN;
  if (best == 0) {
    for (int64_t j = 0; j < n; ++j) {
      if (x[j] == 0) return double(x[j]);
    }
  }
  return double(best);
}

/** ⊕ over a contiguous run; sums in 8 f64 lanes, max/min through extremum_run. */
template <int FN, typename T>
double reduce_run(const T* x, int64_t n, double acc) {
  if (FN != kSum) return n == 0 ? acc : combine<FN>(acc, extremum_run<FN>(x, n));
  double lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    for (int l = 0; l < 8; ++l) lanes[l] += double(x[i + l]);
  }
  double tail = 0;
  for (; i < n; ++i) tail += double(x[i]);
  for (int l = 0; l < 8; ++l) acc += lanes[l];
  return acc + tail;
}

constexpr int64_t kColumns = 512;

template <int FN, typename T>
void reduce_contiguous(const T* x, T* y, int64_t outer, int64_t mid, int64_t inner) {
  ThreadPool& pool = ThreadPool::instance();
  if (inner == 1 && outer < 2 * pool.size() && mid >= 65536 && pool.size() > 1) {
    // A few long runs (a full reduction): chunks of each run in parallel, combined in order.
    const int chunks = pool.size();
    std::vector<double> partial(static_cast<size_t>(chunks));
    for (int64_t o = 0; o < outer; ++o) {
      const T* run = x + o * mid;
      parallel_for(chunks, 1, [&](int64_t begin, int64_t end, int) {
        for (int64_t c = begin; c < end; ++c) {
          int64_t b, e;
          static_range(mid, int(c), chunks, b, e);
          partial[size_t(c)] = reduce_run<FN>(run + b, e - b, init_value<FN>());
        }
      });
      double acc = init_value<FN>();
      for (int c = 0; c < chunks; ++c) acc = combine<FN>(acc, partial[size_t(c)]);
      y[o] = store_as<T>(acc);
    }
    return;
  }
  if (inner == 1) {
    parallel_for(outer, std::max<int64_t>(2, 32768 / std::max<int64_t>(mid, 1)), [&](int64_t begin, int64_t end, int) {
      for (int64_t o = begin; o < end; ++o) y[o] = store_as<T>(reduce_run<FN>(x + o * mid, mid, init_value<FN>()));
    });
    return;
  }
  // Column blocks: acc[i] ⊕= x[o, m, i] for m in order — the reference's loop, blocked.
  const int64_t blocks = (inner + kColumns - 1) / kColumns;
  const int64_t per_task = mid * std::min(inner, kColumns);
  parallel_for(outer * blocks, std::max<int64_t>(2, 32768 / std::max<int64_t>(per_task, 1)), [&](int64_t begin, int64_t end, int) {
    double acc[kColumns];
    for (int64_t t = begin; t < end; ++t) {
      const int64_t o = t / blocks, c0 = (t % blocks) * kColumns, w = std::min(kColumns, inner - c0);
      for (int64_t i = 0; i < w; ++i) acc[i] = init_value<FN>();
      for (int64_t m = 0; m < mid; ++m) {
        const T* row = x + (o * mid + m) * inner + c0;
        for (int64_t i = 0; i < w; ++i) acc[i] = combine<FN>(acc[i], double(row[i]));
      }
      T* out = y + o * inner + c0;
      for (int64_t i = 0; i < w; ++i) out[i] = store_as<T>(acc[i]);
    }
  });
}

/** Interleaved kept and reduced axes: per output, the reduced offsets in row-major order. */
template <int FN, typename T>
void reduce_general(const T* x, T* y, const std::vector<int64_t>& kept_size, const std::vector<int64_t>& kept_stride,
                    const std::vector<int64_t>& offsets) {
  int64_t n = 1;
  for (int64_t s : kept_size) n *= s;
  const int64_t mid = int64_t(offsets.size());
  parallel_for(n, std::max<int64_t>(2, 32768 / std::max<int64_t>(mid, 1)), [&](int64_t begin, int64_t end, int) {
    for (int64_t o = begin; o < end; ++o) {
      int64_t rest = o, base = 0;
      for (size_t a = kept_size.size(); a-- > 0;) {
        base += (rest % kept_size[a]) * kept_stride[a];
        rest /= kept_size[a];
      }
      double acc = init_value<FN>();
      for (int64_t k = 0; k < mid; ++k) acc = combine<FN>(acc, double(x[base + offsets[size_t(k)]]));
      y[o] = store_as<T>(acc);
    }
  });
}

struct Group {
  int64_t size;
  int64_t stride;  // input stride of the group's last (fastest) axis
  bool reduced;
};

template <int FN, typename T>
void run_reduce(const T* x, T* y, int64_t x_size, int64_t y_size, const std::vector<Group>& groups) {
  if (x_size == 0) {
    for (int64_t o = 0; o < y_size; ++o) y[o] = store_as<T>(init_value<FN>());
    return;
  }
  int reduced_groups = 0;
  for (const Group& g : groups) reduced_groups += g.reduced ? 1 : 0;
  if (reduced_groups <= 1) {
    int64_t outer = 1, mid = 1, inner = 1;
    bool seen = false;
    for (const Group& g : groups) {
      if (g.reduced) {
        mid = g.size;
        seen = true;
      } else if (seen) {
        inner *= g.size;
      } else {
        outer *= g.size;
      }
    }
    if (!seen) {  // nothing reduced: y = init ⊕ x (a sum turns −0 into +0, as the reference's)
      inner = outer;
      outer = 1;
    }
    reduce_contiguous<FN>(x, y, outer, mid, inner);
    return;
  }
  std::vector<int64_t> kept_size, kept_stride, red_size, red_stride;
  for (const Group& g : groups) {
    (g.reduced ? red_size : kept_size).push_back(g.size);
    (g.reduced ? red_stride : kept_stride).push_back(g.stride);
  }
  int64_t mid = 1;
  for (int64_t s : red_size) mid *= s;
  std::vector<int64_t> offsets(static_cast<size_t>(mid));
  std::vector<int64_t> idx(red_size.size(), 0);
  int64_t off = 0;
  for (int64_t k = 0; k < mid; ++k) {
    offsets[size_t(k)] = off;
    for (size_t a = red_size.size(); a-- > 0;) {
      off += red_stride[a];
      if (++idx[a] < red_size[a]) break;
      off -= red_stride[a] * red_size[a];
      idx[a] = 0;
    }
  }
  reduce_general<FN>(x, y, kept_size, kept_stride, offsets);
}

}  // namespace

Napi::Value reduce(const Napi::CallbackInfo& info) {
  constexpr const char* K = "reduce";
  const Napi::Env env = info.Env();
  Span<int32_t> shape;
  const int64_t x_size = shape_arg(info, 2, K, "shape", shape);
  const Span<int32_t> reduced = array_arg<int32_t>(info, 3, K, "reduced", int64_t(shape.size));
  const int64_t fn = int_arg(info, 4, K, "fn", 0, 2);
  int64_t y_size = 1;
  for (size_t a = 0; a < shape.size; ++a) y_size *= reduced[a] ? 1 : shape[a];
  const AnySpan x = any_array_arg(info, 0, K, "x", x_size);
  const AnySpan y = any_array_arg(info, 1, K, "y", y_size);
  if (x.dtype != y.dtype) fail(env, std::string(K) + ": y is " + dtype_name(y.dtype) + " but x is " + dtype_name(x.dtype));

  // Drop size-1 axes (they change no offset) and merge neighbours of the same kind.
  std::vector<Group> groups;
  int64_t stride = 1;
  for (size_t a = shape.size; a-- > 0;) {
    const int64_t size = shape[a];
    if (size != 1) {
      const bool red = reduced[a] != 0;
      if (!groups.empty() && groups.back().reduced == red) {
        groups.back().size *= size;  // the group keeps its fastest axis's stride
      } else {
        groups.push_back({size, stride, red});
      }
    }
    stride *= size;
  }
  std::reverse(groups.begin(), groups.end());

  dispatch_dtype(x.dtype, [&](auto zero) {
    using T = decltype(zero);
    const T* xs = x.as<T>();
    T* ys = y.as<T>();
    if (fn == kSum) run_reduce<kSum>(xs, ys, x_size, y_size, groups);
    else if (fn == kMax) run_reduce<kMax>(xs, ys, x_size, y_size, groups);
    else run_reduce<kMin>(xs, ys, x_size, y_size, groups);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(reduce);
