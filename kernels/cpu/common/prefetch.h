// Software prefetches as instructions the compiler cannot drop: on x86 with GCC or Clang they
// are inline asm, because GCC 12 emitted no instruction for __builtin_prefetch in some of the
// kernels' lambdas and loops (seen in objdump); elsewhere __builtin_prefetch.
#pragma once

#include <cstdint>

namespace rec {

/**
 * Prefetches a row of `d` floats for writing, one cache line (16 floats) at a time: the
 * ordered and Hogwild SGD kernels and the sparse optimizers call it a few rows ahead of the
 * one they update.
 */
inline void prefetch_row(const float* row, int64_t d) {
  for (int64_t c = 0; c < d; c += 16) {
#if defined(__x86_64__) && defined(__GNUC__)
    asm volatile("prefetchw %0" : : "m"(row[c]));
#else
    __builtin_prefetch(row + c, 1, 3);
#endif
  }
}

/** Prefetches the cache line holding p for reading. */
inline void prefetch_read(const void* p) {
#if defined(__x86_64__) && defined(__GNUC__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p, 0, 3);
#endif
}

}  // namespace rec
