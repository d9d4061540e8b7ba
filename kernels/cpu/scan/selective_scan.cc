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
// each output rounded once to f32. The backward recomputes one chain's states and decay
// factors (2·T·N doubles) instead of keeping them from the forward. dB and dC sum over channels in order
// within a sequence; dA and dD sum each sequence's chain into a per-sequence partial, then
// the partials in sequence order: the result does not depend on the thread count.
// Threading: sequences split over the pool (each owns its dB, dC rows and its partials).
#include <cmath>
#include <vector>

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

void expect_size(const Napi::Env& env, const char* K, const char* name, size_t got, int64_t want) {
  if (int64_t(got) != want) fail(env, std::string(K) + ": " + name + " has " + std::to_string(got) + " elements, expected " + std::to_string(want));
}

}  // namespace

Napi::Value selective_scan(const Napi::CallbackInfo& info) {
  constexpr const char* K = "selective_scan";
  const Napi::Env env = info.Env();
  const Span<float> u = array_arg<float>(info, 0, K, "u");
  const Span<float> delta = array_arg<float>(info, 1, K, "delta");
  const Span<float> A = array_arg<float>(info, 2, K, "A");
  const Span<float> B = array_arg<float>(info, 3, K, "B");
  const Span<float> C = array_arg<float>(info, 4, K, "C");
  const Span<float> D = array_arg<float>(info, 5, K, "D");
  const Span<float> y = array_arg<float>(info, 6, K, "y");
  const auto [batch, T, E, N] = scan_sizes(info, 7, K);
  for (const auto& [name, span, want] : {std::tuple{"u", u.size, batch * T * E}, {"delta", delta.size, batch * T * E}, {"A", A.size, E * N},
                                         {"B", B.size, batch * T * N}, {"C", C.size, batch * T * N}, {"D", D.size, E}, {"y", y.size, batch * T * E}}) {
    expect_size(env, K, name, span, want);
  }
  parallel_for(batch, 1, [&](int64_t begin, int64_t end, int) {
    std::vector<double> h(static_cast<size_t>(N));
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
          for (int64_t n = 0; n < N; ++n) {
            h[size_t(n)] = std::exp(dt * double(a[n])) * h[size_t(n)] + dt * x * double(bt[n]);
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
  const Span<float> dy = array_arg<float>(info, 0, K, "dy");
  const Span<float> u = array_arg<float>(info, 1, K, "u");
  const Span<float> delta = array_arg<float>(info, 2, K, "delta");
  const Span<float> A = array_arg<float>(info, 3, K, "A");
  const Span<float> B = array_arg<float>(info, 4, K, "B");
  const Span<float> C = array_arg<float>(info, 5, K, "C");
  const Span<float> D = array_arg<float>(info, 6, K, "D");
  const Span<float> du = array_arg<float>(info, 7, K, "du");
  const Span<float> ddelta = array_arg<float>(info, 8, K, "ddelta");
  const Span<float> dA = array_arg<float>(info, 9, K, "dA");
  const Span<float> dB = array_arg<float>(info, 10, K, "dB");
  const Span<float> dC = array_arg<float>(info, 11, K, "dC");
  const Span<float> dD = array_arg<float>(info, 12, K, "dD");
  const auto [batch, T, E, N] = scan_sizes(info, 13, K);
  const int64_t bte = batch * T * E, btn = batch * T * N;
  for (const auto& [name, span, want] : {std::tuple{"dy", dy.size, bte}, {"u", u.size, bte}, {"delta", delta.size, bte}, {"A", A.size, E * N},
                                         {"B", B.size, btn}, {"C", C.size, btn}, {"D", D.size, E}, {"du", du.size, bte}, {"ddelta", ddelta.size, bte},
                                         {"dA", dA.size, E * N}, {"dB", dB.size, btn}, {"dC", dC.size, btn}, {"dD", dD.size, E}}) {
    expect_size(env, K, name, span, want);
  }
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
          for (int64_t n = 0; n < N; ++n) {
            const double before = t == 0 ? 0.0 : states[size_t((t - 1) * N + n)];
            const double decay = std::exp(dt * double(a[n]));
            decays[size_t(t * N + n)] = decay;  // kept for the backward pass: one exp per state, not two
            states[size_t(t * N + n)] = decay * before + dt * x * double(bt[n]);
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
