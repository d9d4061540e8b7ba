// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
// SC'11), bit-exact with @rec/core's packages/core/src/random/philox.ts and the
// counter layout of rng.ts:
//
//   word k of (seed, stream) = word k % 4 of
//     philox4x32([floor(k/4) lo, floor(k/4) hi, stream, 0], [seed lo, seed hi])
//
// Every kernel that draws random numbers computes "word k" directly from its
// row and try index, so threads share no generator state and every backend
// draws the same values for the same (seed, stream, counter).
#pragma once

#include <cstdint>

#if defined(__AVX2__)
#include <immintrin.h>
#endif

namespace rec {

/** Philox4x32-10's round multipliers and Weyl key increments (Salmon et al. 2011). */
constexpr uint32_t kPhiloxM0 = 0xD2511F53u, kPhiloxM1 = 0xCD9E8D57u;
constexpr uint32_t kPhiloxW0 = 0x9E3779B9u, kPhiloxW1 = 0xBB67AE85u;

struct PhiloxKey {
  uint32_t lo;
  uint32_t hi;
};

/** One Philox4x32-10 block: four output words for counter (c0..c3) and key. */
inline void philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t out[4]) {
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    const uint64_t p0 = uint64_t(kPhiloxM0) * c0;
    const uint64_t p1 = uint64_t(kPhiloxM1) * c2;
    const uint32_t hi0 = uint32_t(p0 >> 32), lo0 = uint32_t(p0);
    const uint32_t hi1 = uint32_t(p1 >> 32), lo1 = uint32_t(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** Word k of the sequence for (key, stream): rng.ts's u32At. */
inline uint32_t philox_u32_at(PhiloxKey key, uint32_t stream, uint64_t k) {
  const uint64_t block = k >> 2;
  uint32_t out[4];
  philox4x32(uint32_t(block), uint32_t(block >> 32), stream, 0, key.lo, key.hi, out);
  return out[k & 3];
}

/**
 * Words k and k + 1 of the sequence for (key, stream), the same values as two
 * philox_u32_at calls: one Philox block when both lie in it (k mod 4 ≠ 3), as they
 * do for every even k — half the cost for samplers that draw words in pairs.
 */
inline void philox_u32_pair_at(PhiloxKey key, uint32_t stream, uint64_t k, uint32_t& first, uint32_t& second) {
  if ((k & 3) == 3) {
    first = philox_u32_at(key, stream, k);
    second = philox_u32_at(key, stream, k + 1);
    return;
  }
  const uint64_t block = k >> 2;
  uint32_t out[4];
  philox4x32(uint32_t(block), uint32_t(block >> 32), stream, 0, key.lo, key.hi, out);
  first = out[k & 3];
  second = out[(k & 3) + 1];
}

/**
 * Philox4x32-10 for 8 counters at once (lane l: counter (lo[l], hi[l], stream, 0)), the
 * same words as 8 philox4x32 calls: one block's 10 rounds are a serial chain of 32×32→64
 * products, so lanes side by side are what makes it fast. With AVX2 the products are
 * vpmuludq on even and odd lanes; elsewhere it is those 8 calls.
 */
inline void philox4x32_x8(const uint32_t* lo, const uint32_t* hi, uint32_t stream, PhiloxKey key, uint32_t out[4][8]) {
#if defined(__AVX2__)
  __m256i c0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(lo));
  __m256i c1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(hi));
  __m256i c2 = _mm256_set1_epi32(int32_t(stream));
  __m256i c3 = _mm256_setzero_si256();
  const __m256i m0 = _mm256_set1_epi32(int32_t(kPhiloxM0)), m1 = _mm256_set1_epi32(int32_t(kPhiloxM1));
  // (hi, lo) halves of a·m per 32-bit lane: even lanes from one vpmuludq, odd from a shifted one.
  const auto mulhilo = [](__m256i a, __m256i m, __m256i& h, __m256i& l) {
    const __m256i even = _mm256_mul_epu32(a, m);
    const __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), m);
    l = _mm256_blend_epi32(even, _mm256_slli_epi64(odd, 32), 0xAA);
    h = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
  };
  uint32_t k0 = key.lo, k1 = key.hi;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += kPhiloxW0;
      k1 += kPhiloxW1;
    }
    __m256i h0, l0, h1, l1;
    mulhilo(c0, m0, h0, l0);
    mulhilo(c2, m1, h1, l1);
    c0 = _mm256_xor_si256(_mm256_xor_si256(h1, c1), _mm256_set1_epi32(int32_t(k0)));
    c1 = l1;
    c2 = _mm256_xor_si256(_mm256_xor_si256(h0, c3), _mm256_set1_epi32(int32_t(k1)));
    c3 = l0;
  }
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[0]), c0);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[1]), c1);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[2]), c2);
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(out[3]), c3);
#else
  for (int l = 0; l < 8; ++l) {
    uint32_t block[4];
    philox4x32(lo[l], hi[l], stream, 0, key.lo, key.hi, block);
    for (int w = 0; w < 4; ++w) out[w][l] = block[w];
  }
#endif
}

/** floor(w · n / 2³²): philox.ts's mulhi32, used to map a word to [0, n). */
inline uint32_t mulhi32(uint32_t w, uint32_t n) { return uint32_t((uint64_t(w) * n) >> 32); }

}  // namespace rec
