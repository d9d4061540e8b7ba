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

namespace rec {

struct PhiloxKey {
  uint32_t lo;
  uint32_t hi;
};

/** One Philox4x32-10 block: four output words for counter (c0..c3) and key. */
inline void philox4x32(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1, uint32_t out[4]) {
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;
  constexpr uint32_t W0 = 0x9E3779B9u, W1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      k0 += W0;
      k1 += W1;
    }
    const uint64_t p0 = uint64_t(M0) * c0;
    const uint64_t p1 = uint64_t(M1) * c2;
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

/** floor(w · n / 2³²): philox.ts's mulhi32, used to map a word to [0, n). */
inline uint32_t mulhi32(uint32_t w, uint32_t n) { return uint32_t((uint64_t(w) * n) >> 32); }

}  // namespace rec
