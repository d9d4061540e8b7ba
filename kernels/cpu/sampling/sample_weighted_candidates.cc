// `sample_weighted_candidates`: CCRec §5.1's probability-weighted sampler —
// per row, S draws from a candidate list with the given (unnormalised)
// weights, by inverse CDF on one uniform per draw. Reference and full contract:
// packages/core/src/kernels/sampling/sample_weighted_candidates.ts.
//
//   W_r = Σ_l w_rl (double, l ascending); target = (word(counter + r·S + s) >> 8)·2⁻²⁴·W_r
//   pick the first l with Σ_{m ≤ l} w_rm > target (the last positive weight if rounding
//   leaves none); sample = candidates[r, l]; weight = float(w_rl / W_r)
//
// Layouts: candidates i32 [n·L]; weights f32 [n·L]; samples i32 [n·S];
// sampleWeights f32 [n·S]. Numerics: prefix sums in double in the same order
// as the js reference (no -ffast-math), so picks are bit-exact.
// Threading: rows split statically over the pool.
#include <cmath>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/philox.h"
#include "../common/thread_pool.h"

namespace rec {

Napi::Value sample_weighted_candidates(const Napi::CallbackInfo& info) {
  constexpr const char* K = "sample_weighted_candidates";
  const Napi::Env env = info.Env();
  const Span<int32_t> candidates = array_arg<int32_t>(info, 0, K, "candidates");
  const Span<float> weights = array_arg<float>(info, 1, K, "weights", int64_t(candidates.size));
  const int64_t n = int_arg(info, 2, K, "rows", 0, 2147483647);
  const int64_t L = int_arg(info, 3, K, "listLength", 0, 2147483647);
  const int64_t S = int_arg(info, 4, K, "numSamples", 0, 2147483647);
  if (n * L != int64_t(candidates.size)) fail(env, "sample_weighted_candidates: candidates must hold rows × listLength entries");
  const Span<int32_t> samples = array_arg<int32_t>(info, 5, K, "samples", n * S);
  const Span<float> sample_weights = array_arg<float>(info, 6, K, "sampleWeights", n * S);
  const PhiloxKey key{uint32_t(int_arg(info, 7, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 8, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 9, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 10, K, "counter", 0, 9007199254740991LL));

  for (int64_t r = 0; r < n; ++r) {
    double total = 0;
    for (int64_t l = 0; l < L; ++l) {
      const float w = weights[r * L + l];
      if (!(std::isfinite(w) && w >= 0)) fail(env, "sample_weighted_candidates: weight at row " + std::to_string(r) + ", column " + std::to_string(l) + " must be finite and non-negative");
      total += w;
    }
    if (!(total > 0)) fail(env, "sample_weighted_candidates: the weights of row " + std::to_string(r) + " sum to zero");
  }

  parallel_for(n, 256, [&](int64_t begin, int64_t end, int) {
    for (int64_t r = begin; r < end; ++r) {
      const float* w = weights.data + r * L;
      double total = 0;
      int64_t last = 0;
      for (int64_t l = 0; l < L; ++l) {
        total += double(w[l]);
        if (w[l] > 0) last = l;
      }
      for (int64_t s = 0; s < S; ++s) {
        const double target = double(philox_u32_at(key, stream, counter + uint64_t(r * S + s)) >> 8) * 0x1p-24 * total;
        double cum = 0;
        int64_t pick = last;
        for (int64_t l = 0; l < L; ++l) {
          cum += double(w[l]);
          if (cum > target) {
            pick = l;
            break;
          }
        }
        samples[r * S + s] = candidates[r * L + pick];
        sample_weights[r * S + s] = float(double(w[pick]) / total);
      }
    }
  });
  return env.Undefined();
}

}  // namespace rec

REC_EXPORT(sample_weighted_candidates);
