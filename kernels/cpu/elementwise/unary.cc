// `unary`: y_i = f(x_i) elementwise on f32, f one of (the `fn` code is the
// index in this list, the order of the reference's UnaryFn and of the WGSL
// switch):
//
//   0 neg −x            5 abs |x|           10 step [x > 0]
//   1 exp eˣ            6 sign sgn x         11 sigmoid 1 / (1 + e⁻ˣ)
//   2 log ln x          7 square x²          12 tanh
//   3 sqrt √x           8 reciprocal 1/x     13 softplus max(x, 0) + log1p(e^−|x|)
//   4 rsqrt 1/√x        9 relu max(x, 0)     14 log_sigmoid min(x, 0) − log1p(e^−|x|)
//
// Reference and full contract: packages/core/src/kernels/elementwise/unary.ts.
// Layouts: x, y f32 [n] (any shape, flat). Other dtypes stay on the js
// reference (the glue in packages/kernels/src/native/kernels.ts).
// Numerics: the reference computes in f64 and rounds once. neg, abs, sign,
// square, relu, step, sqrt and reciprocal are correctly rounded in f32 too
// (f64→f32 double rounding is harmless for ×, ÷ and √), so they run in f32
// and are bit-exact. sigmoid, the hot activation, runs in f32 through the
// vectorised e^−|x| of common/fast_exp.h (≤ 2 ulp) in the reference's
// sign-split form: within 4 ulp of f32 of the reference, and 0 (not a
// subnormal) below x = −87.3. The rest run in f64 with the C library (exp,
// log, tanh, log1p) and the reference's stable forms (softplus / log_sigmoid
// through log1p(e^−|x|)), then round: within 1 ulp of f32 of the reference
// (the libm's f64 results may differ from V8's by an f64 ulp).
// NaN, ±0 and ±∞ follow Math.*: sign(−0) = −0, relu(NaN) = 0.
// Threading: contiguous chunks over the pool; elementwise, so exact for any
// thread count.
#include <algorithm>
#include <cmath>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/fast_exp.h"
#include "../common/thread_pool.h"

namespace rec {
namespace {

template <typename F>
void map_f32(const float* x, float* y, int64_t n, F f) {
  parallel_for(n, 32768, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) y[i] = f(x[i]);
  });
}

template <typename F>
void map_f64(const float* x, float* y, int64_t n, F f) {
  // Transcendentals cost ~20 ns, so fewer elements already pay for the pool.
  parallel_for(n, 4096, [&](int64_t begin, int64_t end, int) {
    for (int64_t i = begin; i < end; ++i) y[i] = float(f(double(x[i])));
  });
}

// Math.max(x, 0) / Math.min(x, 0) for the stable forms: NaN propagates (±0 cannot matter after the log1p term).
double max0(double x) { return x != x ? x : x > 0 ? x : 0.0; }
double min0(double x) { return x != x ? x : x < 0 ? x : 0.0; }

}  // namespace

Napi::Value unary(const Napi::CallbackInfo& info) {
  constexpr const char* K = "unary";
  const Napi::Env env = info.Env();
  const Span<float> x = array_arg<float>(info, 0, K, "x");
  const Span<float> y = array_arg<float>(info, 1, K, "y", int64_t(x.size));
  const int64_t fn = int_arg(info, 2, K, "fn", 0, 14);
  const int64_t n = int64_t(x.size);
  float* out = y.data;
  const float* in = x.data;
  switch (fn) {
    case 0: map_f32(in, out, n, [](float v) { return -v; }); break;
    case 1: map_f64(in, out, n, [](double v) { return std::exp(v); }); break;
    case 2: map_f64(in, out, n, [](double v) { return std::log(v); }); break;
    case 3: map_f32(in, out, n, [](float v) { return std::sqrt(v); }); break;
    case 4: map_f64(in, out, n, [](double v) { return 1 / std::sqrt(v); }); break;
    case 5: map_f32(in, out, n, [](float v) { return std::fabs(v); }); break;
    case 6: map_f32(in, out, n, [](float v) { return v > 0 ? 1.0f : v < 0 ? -1.0f : v; }); break;  // keeps ±0 and NaN
    case 7: map_f32(in, out, n, [](float v) { return v * v; }); break;
    case 8: map_f32(in, out, n, [](float v) { return 1.0f / v; }); break;
    case 9: map_f32(in, out, n, [](float v) { return v > 0 ? v : 0.0f; }); break;
    case 10: map_f32(in, out, n, [](float v) { return v > 0 ? 1.0f : 0.0f; }); break;
    case 11:  // the MLP towers' activation: f32 and vectorised, e = e^−|x| ≤ 1 never overflows
      map_f32(in, out, n, [](float v) {
        const float e = exp_nonpositive(-std::fabs(v));
        return v >= 0 ? 1.0f / (1.0f + e) : e / (1.0f + e);
      });
      break;
    case 12: map_f64(in, out, n, [](double v) { return std::tanh(v); }); break;
    case 13: map_f64(in, out, n, [](double v) { return max0(v) + std::log1p(std::exp(-std::fabs(v))); }); break;
    default: map_f64(in, out, n, [](double v) { return min0(v) - std::log1p(std::exp(-std::fabs(v))); }); break;
  }
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(unary);
