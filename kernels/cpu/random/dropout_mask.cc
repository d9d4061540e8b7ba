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
// Method: each Philox block gives four consecutive words; whole blocks go
// eight at a time through philox4x32_x8 (AVX2 lanes) and store_masks (a
// register transpose and a vector compare), the partial blocks at a run's
// ends one word at a time. The test is on integers: (word >> 8) against
// ⌈p·2²⁴⌉, equal to the reference's f64 comparison (see the body).
// Threading: elements split in static slices over the pool; each slice
// computes its own words (counter-based: no generator state is shared), so
// the mask does not depend on the thread count. Compute-bound (10 Philox
// rounds per four elements).
#include <cmath>
#include <cstring>

#include "../addon.h"
#include "../common/checks.h"
#include "../common/philox.h"
#include "../common/thread_pool.h"

namespace rec {

namespace {

/**
 * The 32 masks of eight consecutive Philox blocks: element 4l + w takes word w of block l
 * (`words[w][l]`, philox4x32_x8's layout). With AVX2 a 4 × 8 transpose in registers and a
 * vector compare; elsewhere the same test per element, branch-free (at p = 0.5 a branch
 * mispredicts every other element).
 */
inline void store_masks(const uint32_t words[4][8], uint32_t threshold, float keep, float* out) {
#if defined(__AVX2__)
  const __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(words[0]));
  const __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(words[1]));
  const __m256i c2 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(words[2]));
  const __m256i c3 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(words[3]));
  const __m256i a0 = _mm256_unpacklo_epi32(c0, c1), a1 = _mm256_unpackhi_epi32(c0, c1);
  const __m256i b0 = _mm256_unpacklo_epi32(c2, c3), b1 = _mm256_unpackhi_epi32(c2, c3);
  const __m256i r0 = _mm256_unpacklo_epi64(a0, b0);  // blocks 0 | 4, words 0..3
  const __m256i r1 = _mm256_unpackhi_epi64(a0, b0);  // blocks 1 | 5
  const __m256i r2 = _mm256_unpacklo_epi64(a1, b1);  // blocks 2 | 6
  const __m256i r3 = _mm256_unpackhi_epi64(a1, b1);  // blocks 3 | 7
  const __m256i rows[4] = {
      _mm256_permute2x128_si256(r0, r1, 0x20), _mm256_permute2x128_si256(r2, r3, 0x20),
      _mm256_permute2x128_si256(r0, r1, 0x31), _mm256_permute2x128_si256(r2, r3, 0x31)};
  // (word >> 8) ≥ threshold ⟺ (word >> 8) > threshold − 1, signed-safe: both sides lie in
  // [−1, 2²⁴].
  const __m256i below = _mm256_set1_epi32(int32_t(threshold) - 1);
  const __m256 kept = _mm256_set1_ps(keep);
  for (int q = 0; q < 4; ++q) {
    const __m256i pass = _mm256_cmpgt_epi32(_mm256_srli_epi32(rows[q], 8), below);
    _mm256_storeu_ps(out + 8 * q, _mm256_and_ps(_mm256_castsi256_ps(pass), kept));
  }
#else
  uint32_t keep_bits;
  std::memcpy(&keep_bits, &keep, 4);
  for (int l = 0; l < 8; ++l) {
    for (int w = 0; w < 4; ++w) {
      const uint32_t bits = (0u - uint32_t((words[w][l] >> 8) >= threshold)) & keep_bits;
      std::memcpy(out + 4 * l + w, &bits, 4);
    }
  }
#endif
}

}  // namespace

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
  // u_i ≥ p ⟺ (word >> 8)·2⁻²⁴ ≥ p ⟺ (word >> 8) ≥ ⌈p·2²⁴⌉: p·2²⁴ is exact in f64 and
  // word >> 8 an integer, so the integer test is the reference's f64 comparison.
  const uint32_t threshold = uint32_t(std::ceil(p * 0x1p24));
  const auto mask_of = [&](uint32_t word) { return (word >> 8) >= threshold ? keep : 0.0f; };
  parallel_for(int64_t(out.size), 1 << 14, [&](int64_t begin, int64_t end, int) {
    int64_t i = begin;
    // Up to the next block boundary one word at a time, then eight whole blocks (32
    // elements) per philox4x32_x8 call, then the tail one word at a time.
    while (i < end && ((counter + uint64_t(i)) & 3) != 0) {
      out[size_t(i)] = mask_of(philox_u32_at(key, stream, counter + uint64_t(i)));
      ++i;
    }
    uint32_t lo[8], hi[8], words[4][8];
    for (; i + 32 <= end; i += 32) {
      const uint64_t block = (counter + uint64_t(i)) >> 2;
      for (int l = 0; l < 8; ++l) {
        lo[l] = uint32_t(block + uint64_t(l));
        hi[l] = uint32_t((block + uint64_t(l)) >> 32);
      }
      philox4x32_x8(lo, hi, stream, key, words);
      store_masks(words, threshold, keep, &out[size_t(i)]);
    }
    for (; i < end; ++i) out[size_t(i)] = mask_of(philox_u32_at(key, stream, counter + uint64_t(i)));
  });
  return info.Env().Undefined();
}

}  // namespace rec

REC_EXPORT(dropout_mask);
