// `dropout_mask`: m_i = 1/(1 − p) if u_i ≥ p else 0, with u_i the uniform at
// word counter + i of Philox stream (seed, stream) — inverted dropout
// (Srivastava et al. 2014, JMLR 15; the inverted form keeps E[m_i] = 1).
// Reference and full contract: packages/core/src/kernels/random/dropout_mask.ts.
//
//   u_i = (word(counter + i) >> 8)·2⁻²⁴     (common/philox.h, rng.ts's uniformAt)
//
// Layouts: out f32 [n] (the mask's shape flattened); key (lo, hi), stream and
// counter as the samplers take them.
// Numerics: exact — u_i is a multiple of 2⁻²⁴, exact in f64, compared with p
// in f64 as the reference does; 1/(1 − p) computed in f64 and rounded once to
// f32, as the reference's store. Bit-equal to js and WGSL for every p.
// Method: each Philox block gives four consecutive words, so a run of
// elements computes one block per four elements (the first and last block of
// a run may be partial when counter is not a multiple of 4).
// Threading: elements split in static slices over the pool; each slice
// computes its own words (counter-based: no generator state is shared), so
// the mask does not depend on the thread count. Compute-bound (10 Philox
// rounds per four elements).
#include "../addon.h"
#include "../common/checks.h"
#include "../common/philox.h"
#include "../common/thread_pool.h"

namespace rec {

Napi::Value dropout_mask(const Napi::CallbackInfo& info) {
  constexpr const char* K = "dropout_mask";
  const Span<float> out = array_arg<float>(info, 0, K, "out");
  const double p = number_arg(info, 1, K, "p");
  const PhiloxKey key{uint32_t(int_arg(info, 2, K, "keyLo", 0, 4294967295LL)), uint32_t(int_arg(info, 3, K, "keyHi", 0, 4294967295LL))};
  const uint32_t stream = uint32_t(int_arg(info, 4, K, "stream", 0, 4294967295LL));
  const uint64_t counter = uint64_t(int_arg(info, 5, K, "counter", 0, 9007199254740991LL));
  if (out.size > 0 && counter + (out.size - 1) > 9007199254740991ULL) {
    fail(info.Env(), "dropout_mask: counter + size − 1 must stay below 2⁵³ (a safe integer), as the reference's Philox counters");
  }
  const float keep = float(1.0 / (1.0 - p));
  parallel_for(int64_t(out.size), 1 << 14, [&](int64_t begin, int64_t end, int) {
    int64_t i = begin;
    while (i < end) {
      const uint64_t k = counter + uint64_t(i);
      const uint64_t block = k >> 2;
      uint32_t words[4];
      philox4x32(uint32_t(block), uint32_t(block >> 32), stream, 0, key.lo, key.hi, words);
      for (uint64_t w = k & 3; w < 4 && i < end; ++w, ++i) {
        out[size_t(i)] = double(words[w] >> 8) * 0x1p-24 >= p ? keep : 0.0f;
      }
    }
  });
  return info.Env().Undefined();
}

}  // namespace rec
