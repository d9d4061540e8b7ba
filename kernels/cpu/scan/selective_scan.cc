// `selective_scan` and `selective_scan_grad`: Mamba's selective state-space scan (Gu & Dao
// 2023, Algorithm 2), fused over the positions.
// Reference and full contract: packages/core/src/kernels/scan/selective_scan.ts.
//
//   h_t[n] = exp(Δ[b,t,e]·A[e,n])·h_{t−1}[n] + Δ[b,t,e]·u[b,t,e]·B[b,t,n],   h_{−1} = 0
//   y[b,t,e] = Σ_n h_t[n]·C[b,t,n] + D[e]·u[b,t,e]
//
// Layouts: u, Δ, y, du, dΔ [batch, T, E]; A, dA [E, N]; B, C, dB, dC [batch, T, N]; D, dD
// [E]; f32, row-major.
// Numerics: the reference's arithmetic — each (b, e) chain in f64, sums over n in order,
// each output rounded once to f32 — except exp, four at a time by a polynomial within 1 ulp
// of the C library's (exp4, with AVX2; std::exp without). The backward recomputes one chain's states and decay
// factors (2·T·N doubles) instead of keeping them from the forward. dB and dC sum over channels in order
// within a sequence; dA and dD sum each sequence's chain into a per-sequence partial, then
// the partials in sequence order: the result does not depend on the thread count.
// Threading: sequences split over the pool (each owns its dB, dC rows and its partials).
#include <cmath>
#include <vector>

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#endif

#include "../addon.h"
#include "../common/checks.h"
#include "../common/thread_pool.h"

namespace rec {

namespace {

struct ScanSizes {
  int64_t batch, T, E, N;
};

ScanSizes scan_sizes(const Napi::CallbackInfo& info, int first, const char* K) {
  const int64_t batch = int_arg(info, first, K, "batch", 0, int64_t(1) << 40);
  const int64_t T = int_arg(info, first + 1, K, "T", 0, int64_t(1) << 40);
  const int64_t E = int_arg(info, first + 2, K, "E", 0, int64_t(1) << 40);
  const int64_t N = int_arg(info, first + 3, K, "N", 0, int64_t(1) << 40);
  return {batch, T, E, N};
}

#if defined(__AVX2__) && defined(__FMA__)
// e^x for 4 doubles: x = k·ln2 + r with |r| ≤ ln2/2 (ln2 in two parts, so k·ln2 is exact
// to f64), e^r by its Taylor series to degree 13 (Horner, FMA; truncation < 2·10⁻¹⁶), 2^k
// added to the exponent bits. Below −708.39 (where e^x is subnormal) 0, above 709.78 +∞,
// NaN stays NaN. Within 1 ulp of the C library's exp on 10⁶ arguments in [−50, 5].
inline __m256d exp4(__m256d x) {
  const __m256d lo = _mm256_set1_pd(-708.3964185322641), hi = _mm256_set1_pd(709.782712893384);
  const __m256d xc = _mm256_min_pd(_mm256_max_pd(x, lo), hi);
  const __m256d k = _mm256_round_pd(_mm256_mul_pd(xc, _mm256_set1_pd(1.4426950408889634)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256d r = _mm256_fnmadd_pd(k, _mm256_set1_pd(6.93147180369123816490e-01), xc);
  r = _mm256_fnmadd_pd(k, _mm256_set1_pd(1.90821492927058770002e-10), r);
  static constexpr double c[] = {1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0, 1.0 / 5040.0,
                                 1.0 / 720.0, 1.0 / 120.0, 1.0 / 24.0, 1.0 / 6.0, 0.5, 1.0, 1.0};
  __m256d p = _mm256_set1_pd(c[0]);
  for (int i = 1; i < 14; ++i) p = _mm256_fmadd_pd(p, r, _mm256_set1_pd(c[i]));
  const __m256i scale = _mm256_slli_epi64(_mm256_cvtepi32_epi64(_mm256_cvtpd_epi32(k)), 52);
  __m256d y = _mm256_castsi256_pd(_mm256_add_epi64(_mm256_castpd_si256(p), scale));
  y = _mm256_blendv_pd(y, _mm256_setzero_pd(), _mm256_cmp_pd(x, lo, _CMP_LT_OQ));
  y = _mm256_blendv_pd(y, _mm256_set1_pd(INFINITY), _mm256_cmp_pd(x, hi, _CMP_GT_OQ));
  return _mm256_blendv_pd(y, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q));
}
#endif

// decay[n] = exp(dt·a[n]) for n < N (nothing past N is written).
inline void decays_of(double dt, const float* a, int64_t N, double* decay) {
#if defined(__AVX2__) && defined(__FMA__)
  const __m256d step = _mm256_set1_pd(dt);
  int64_t n = 0;
  for (; n + 4 <= N; n += 4) _mm256_storeu_pd(decay + n, exp4(_mm256_mul_pd(step, _mm256_cvtps_pd(_mm_loadu_ps(a + n)))));
  if (n < N) {
    alignas(32) double args[4] = {0, 0, 0, 0};
    for (int64_t j = n; j < N; ++j) args[j - n] = dt * double(a[j]);
    alignas(32) double out[4];
    _mm256_store_pd(out, exp4(_mm256_load_pd(args)));
    for (int64_t j = n; j < N; ++j) decay[j] = out[j - n];
  }
#else
  for (int64_t n = 0; n < N; ++n) decay[n] = std::exp(dt * double(a[n]));
#endif
}

}  // namespace

Napi::Value selective_scan(const Napi::CallbackInfo& info) {
  constexpr const char* K = "selective_scan";
  const Napi::Env env = info.Env();
  const auto [batch, T, E, N] = scan_sizes(info, 7, K);
  const int64_t bte = batch * T * E, btn = batch * T * N;
  const Span<float> u = array_arg<float>(info, 0, K, "u", bte);
  const Span<float> delta = array_arg<float>(info, 1, K, "delta", bte);
  const Span<float> A = array_arg<float>(info, 2, K, "A", E * N);
  const Span<float> B = array_arg<float>(info, 3, K, "B", btn);
  const Span<float> C = array_arg<float>(info, 4, K, "C", btn);
  const Span<float> D = array_arg<float>(info, 5, K, "D", E);
  const Span<float> y = array_arg<float>(info, 6, K, "y", bte);
  parallel_for(batch, 1, [&](int64_t begin, int64_t end, int) {
    std::vector<double> h(static_cast<size_t>(N)), decay(static_cast<size_t>(N));
    for (int64_t b = begin; b < end; ++b) {
      for (int64_t e = 0; e < E; ++e) {
        std::fill(h.begin(), h.end(), 0.0);
        const float* a = A.data + e * N;
        for (int64_t t = 0; t < T; ++t) {
          const int64_t at = (b * T + t) * E + e;
          const float* bt = B.data + (b * T + t) * N;
          const float* ct = C.data + (b * T + t) * N;
          const double dt = delta[size_t(at)];
          const double x = u[size_t(at)];
          double out = 0;
          decays_of(dt, a, N, decay.data());
          for (int64_t n = 0; n < N; ++n) {
            h[size_t(n)] = decay[size_t(n)] * h[size_t(n)] + dt * x * double(bt[n]);
            out += h[size_t(n)] * double(ct[n]);
          }
          y[size_t(at)] = float(out + double(D[size_t(e)]) * x);
        }
      }
    }
  });
  return env.Undefined();
}

Napi::Value selective_scan_grad(const Napi::CallbackInfo& info) {
  constexpr const char* K = "selective_scan_grad";
  const Napi::Env env = info.Env();
  const auto [batch, T, E, N] = scan_sizes(info, 13, K);
  const int64_t bte = batch * T * E, btn = batch * T * N;
  const Span<float> dy = array_arg<float>(info, 0, K, "dy", bte);
  const Span<float> u = array_arg<float>(info, 1, K, "u", bte);
  const Span<float> delta = array_arg<float>(info, 2, K, "delta", bte);
  const Span<float> A = array_arg<float>(info, 3, K, "A", E * N);
  const Span<float> B = array_arg<float>(info, 4, K, "B", btn);
  const Span<float> C = array_arg<float>(info, 5, K, "C", btn);
  const Span<float> D = array_arg<float>(info, 6, K, "D", E);
  const Span<float> du = array_arg<float>(info, 7, K, "du", bte);
  const Span<float> ddelta = array_arg<float>(info, 8, K, "ddelta", bte);
  const Span<float> dA = array_arg<float>(info, 9, K, "dA", E * N);
  const Span<float> dB = array_arg<float>(info, 10, K, "dB", btn);
  const Span<float> dC = array_arg<float>(info, 11, K, "dC", btn);
  const Span<float> dD = array_arg<float>(info, 12, K, "dD", E);
  // Per-sequence partials of dA and dD, summed in sequence order after the parallel part.
  std::vector<double> dA_part(static_cast<size_t>(batch * E * N)), dD_part(static_cast<size_t>(batch * E));
  parallel_for(batch, 1, [&](int64_t begin, int64_t end, int) {
    std::vector<double> states(static_cast<size_t>(T * N)), decays(static_cast<size_t>(T * N)), g(static_cast<size_t>(N)), dB_row(static_cast<size_t>(T * N)), dC_row(static_cast<size_t>(T * N));
    for (int64_t b = begin; b < end; ++b) {
      std::fill(dB_row.begin(), dB_row.end(), 0.0);
      std::fill(dC_row.begin(), dC_row.end(), 0.0);
      for (int64_t e = 0; e < E; ++e) {
        const float* a = A.data + e * N;
        for (int64_t t = 0; t < T; ++t) {
          const int64_t at = (b * T + t) * E + e;
          const float* bt = B.data + (b * T + t) * N;
          const double dt = delta[size_t(at)];
          const double x = u[size_t(at)];
          decays_of(dt, a, N, decays.data() + t * N);  // kept for the backward pass: one exp per state, not two
          for (int64_t n = 0; n < N; ++n) {
            const double before = t == 0 ? 0.0 : states[size_t((t - 1) * N + n)];
            states[size_t(t * N + n)] = decays[size_t(t * N + n)] * before + dt * x * double(bt[n]);
          }
        }
        std::fill(g.begin(), g.end(), 0.0);
        double* dA_e = dA_part.data() + (b * E + e) * N;
        for (int64_t t = T - 1; t >= 0; --t) {
          const int64_t at = (b * T + t) * E + e;
          const float* bt = B.data + (b * T + t) * N;
          const float* ct = C.data + (b * T + t) * N;
          const double dt = delta[size_t(at)];
          const double x = u[size_t(at)];
          const double gy = dy[size_t(at)];
          dD_part[size_t(b * E + e)] += gy * x;
          double dx = gy * double(D[size_t(e)]);
          double ddt = 0;
          for (int64_t n = 0; n < N; ++n) {
            const size_t tn = size_t(t * N + n);
            dC_row[tn] += gy * states[tn];
            g[size_t(n)] += gy * double(ct[n]);
            const double an = double(a[n]);
            const double decay = decays[tn];
            const double before = t == 0 ? 0.0 : states[size_t((t - 1) * N + n)];
            const double gn = g[size_t(n)];
            ddt += gn * (an * decay * before + x * double(bt[n]));
            dA_e[n] += gn * decay * dt * before;
            dx += gn * dt * double(bt[n]);
            dB_row[tn] += gn * dt * x;
            g[size_t(n)] = gn * decay;
          }
          du[size_t(at)] = float(dx);
          ddelta[size_t(at)] = float(ddt);
        }
      }
      for (int64_t k = 0; k < T * N; ++k) {
        dB[size_t(b * T * N + k)] = float(dB_row[size_t(k)]);
        dC[size_t(b * T * N + k)] = float(dC_row[size_t(k)]);
      }
    }
  });
  for (int64_t k = 0; k < E * N; ++k) {
    double s = 0;
    for (int64_t b = 0; b < batch; ++b) s += dA_part[size_t(b * E * N + k)];
    dA[size_t(k)] = float(s);
  }
  for (int64_t e = 0; e < E; ++e) {
    double s = 0;
    for (int64_t b = 0; b < batch; ++b) s += dD_part[size_t(b * E + e)];
    dD[size_t(e)] = float(s);
  }
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(selective_scan);
REC_EXPORT(selective_scan_grad);
