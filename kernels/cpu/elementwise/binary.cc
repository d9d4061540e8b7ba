// `binary`: z = a ∘ b elementwise with NumPy broadcasting (axes aligned from
// the right, size-1 axes stretched), ∘ one of (the `fn` code is the index, the
// order of the reference's BinaryFn):
//
//   0 add   1 sub   2 mul   3 div   4 pow   5 maximum   6 minimum
//   7 equal   8 greater   9 greater_equal   (comparisons give f32 0/1)
//
// Reference and full contract: packages/core/src/kernels/elementwise/binary.ts.
// Layouts: a, b of one dtype (f32, i32 or u32; mixed dtypes stay on the js
// reference), row-major, with shapes `aShape`, `bShape` (i32 [rank]); z has
// the broadcast shape `outShape`, dtype a's (f32 for comparisons). Size-1
// axes are dropped and neighbouring axes merged while both operands stay
// contiguous across them, so the common cases (equal shapes, a scalar, a row
// broadcast over rows) become one or two flat loops.
// Numerics: the reference computes in f64 and stores into the output typed
// array. f32 add/sub/mul/div are correctly rounded in f32 too (f64→f32 double
// rounding is harmless for them), so they run in f32 and are bit-exact; pow
// runs in f64 with Math.pow's special cases (common/js_numbers.h) and rounds
// once (libm's pow may differ from V8's by an f64 ulp, so ≤ 1 ulp of f32);
// maximum / minimum follow Math.max / Math.min (NaN wins, +0 > −0). Integer
// results are the f64 result stored with ToInt32 / ToUint32 (wrap modulo 2³²:
// `mul` of large values rounds in f64 first, exactly as the reference; `div`
// truncates, x/0 stores 0).
// Threading: rows of the merged last axis split over the pool; elementwise,
// so exact for any thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/js_numbers.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

template <typename T>
struct Ops;

template <>
struct Ops<float> {
  static float add(float a, float b) { return a + b; }
  static float sub(float a, float b) { return a - b; }
  static float mul(float a, float b) { return a * b; }
  static float div(float a, float b) { return a / b; }
  static float pow(float a, float b) { return float(js_pow(a, b)); }
  static float maximum(float a, float b) { return js_max(a, b); }
  static float minimum(float a, float b) { return js_min(a, b); }
};

template <typename T>
struct Ops {  // i32 / u32: the f64 result, stored as the typed array would
  static T add(T a, T b) { return store_as<T>(double(a) + double(b)); }
  static T sub(T a, T b) { return store_as<T>(double(a) - double(b)); }
  static T mul(T a, T b) { return store_as<T>(double(a) * double(b)); }
  static T div(T a, T b) { return store_as<T>(double(a) / double(b)); }
  static T pow(T a, T b) { return store_as<T>(js_pow(double(a), double(b))); }
  static T maximum(T a, T b) { return a > b ? a : b; }
  static T minimum(T a, T b) { return a < b ? a : b; }
};

/** z[i] = op(a[i·SA], b[i·SB]) for i < n; SA, SB ∈ {0, 1} fixed at compile time so the loop vectorises. */
template <int SA, int SB, typename T, typename O, typename Op>
void run_row(const T* a, const T* b, O* z, int64_t n, Op op) {
  for (int64_t i = 0; i < n; ++i) z[i] = op(a[i * SA], b[i * SB]);
}

template <typename T, typename O, typename Op>
void row(const T* a, int64_t sa, const T* b, int64_t sb, O* z, int64_t n, Op op) {
  if (sa && sb) run_row<1, 1>(a, b, z, n, op);
  else if (sa) run_row<1, 0>(a, b, z, n, op);
  else if (sb) run_row<0, 1>(a, b, z, n, op);
  else run_row<0, 0>(a, b, z, n, op);
}

struct Layout {
  std::vector<int64_t> size, sa, sb;  // merged axes, outermost first; the last has sa, sb ∈ {0, 1}
};

template <typename T, typename O, typename Op>
void broadcast_apply(const T* a, const T* b, O* z, const Layout& L, Op op) {
  const size_t rank = L.size.size();
  if (rank == 0) {
    z[0] = op(a[0], b[0]);
    return;
  }
  const int64_t inner = L.size[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; ++d) rows *= L.size[d];
  if (rows == 1) {  // one long run (equal shapes, a scalar operand): split its elements
    const int64_t sa = L.sa[0], sb = L.sb[0];
    parallel_for(inner, 32768, [&](int64_t begin, int64_t end, int) {
      row(a + begin * sa, sa, b + begin * sb, sb, z + begin, end - begin, op);
    });
    return;
  }
  parallel_for(rows, std::max<int64_t>(2, 32768 / inner), [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) {
      int64_t rest = r, ia = 0, ib = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        const int64_t i = rest % L.size[d];
        rest /= L.size[d];
        ia += i * L.sa[d];
        ib += i * L.sb[d];
      }
      row(a + ia, L.sa[rank - 1], b + ib, L.sb[rank - 1], z + r * inner, inner, op);
    }
  });
}

template <typename T>
void dispatch_fn(int64_t fn, const T* a, const T* b, void* z, const Layout& L) {
  using Op = Ops<T>;
  T* zt = static_cast<T*>(z);
  float* zf = static_cast<float*>(z);
  // Lambdas, not function pointers, so each loop inlines its operation and vectorises.
  switch (fn) {
    case 0: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::add(x, y); }); break;
    case 1: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::sub(x, y); }); break;
    case 2: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::mul(x, y); }); break;
    case 3: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::div(x, y); }); break;
    case 4: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::pow(x, y); }); break;
    case 5: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::maximum(x, y); }); break;
    case 6: broadcast_apply(a, b, zt, L, [](T x, T y) { return Op::minimum(x, y); }); break;
    case 7: broadcast_apply(a, b, zf, L, [](T x, T y) { return x == y ? 1.0f : 0.0f; }); break;
    case 8: broadcast_apply(a, b, zf, L, [](T x, T y) { return x > y ? 1.0f : 0.0f; }); break;
    default: broadcast_apply(a, b, zf, L, [](T x, T y) { return x >= y ? 1.0f : 0.0f; }); break;
  }
}

}  // namespace

Napi::Value binary(const Napi::CallbackInfo& info) {
  constexpr const char* K = "binary";
  const Napi::Env env = info.Env();
  Span<int32_t> a_shape, b_shape, out_shape;
  const int64_t na = shape_arg(info, 3, K, "aShape", a_shape);
  const int64_t nb = shape_arg(info, 4, K, "bShape", b_shape);
  const int64_t n = shape_arg(info, 5, K, "outShape", out_shape);
  const int64_t fn = int_arg(info, 6, K, "fn", 0, 9);
  const AnySpan a = any_array_arg(info, 0, K, "a", na);
  const AnySpan b = any_array_arg(info, 1, K, "b", nb);
  const AnySpan z = any_array_arg(info, 2, K, "z", n);
  if (a.dtype != b.dtype) fail(env, std::string(K) + ": a is " + dtype_name(a.dtype) + " but b is " + dtype_name(b.dtype));
  const DType want = fn >= 7 ? DType::f32 : a.dtype;
  if (z.dtype != want) fail(env, std::string(K) + ": z must be " + dtype_name(want) + ", got " + dtype_name(z.dtype));

  // Broadcast strides (0 on stretched or missing axes), checked against outShape.
  const size_t rank = out_shape.size;
  if (a_shape.size > rank || b_shape.size > rank) fail(env, std::string(K) + ": outShape has a lower rank than an operand");
  std::vector<int64_t> sa(rank, 0), sb(rank, 0);
  const auto strides = [&](const Span<int32_t>& shape, std::vector<int64_t>& s, const char* name) {
    int64_t st = 1;
    for (size_t j = shape.size; j-- > 0;) {
      const size_t d = rank - shape.size + j;
      if (shape[j] != out_shape[d] && shape[j] != 1) {
        fail(env, std::string(K) + ": " + name + " axis " + std::to_string(j) + " (" + std::to_string(shape[j]) + ") does not broadcast to " +
                      std::to_string(out_shape[d]));
      }
      s[d] = shape[j] == 1 ? 0 : st;
      st *= shape[j];
    }
  };
  strides(a_shape, sa, "aShape");
  strides(b_shape, sb, "bShape");
  if (n == 0) return env.Undefined();

  // Drop size-1 axes, merge an axis into the next (faster) one when both operands run on across them.
  Layout L;
  for (size_t d = 0; d < rank; ++d) {
    if (out_shape[d] == 1) continue;
    L.size.push_back(out_shape[d]);
    L.sa.push_back(sa[d]);
    L.sb.push_back(sb[d]);
  }
  for (size_t d = L.size.size(); d-- > 1;) {
    if (L.sa[d - 1] == L.sa[d] * L.size[d] && L.sb[d - 1] == L.sb[d] * L.size[d]) {
      L.size[d - 1] *= L.size[d];
      L.sa[d - 1] = L.sa[d];
      L.sb[d - 1] = L.sb[d];
      L.size.erase(L.size.begin() + long(d));
      L.sa.erase(L.sa.begin() + long(d));
      L.sb.erase(L.sb.begin() + long(d));
    }
  }

  dispatch_dtype(a.dtype, [&](auto zero) {
    using T = decltype(zero);
    dispatch_fn<T>(fn, a.as<T>(), b.as<T>(), z.data, L);
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(binary);
