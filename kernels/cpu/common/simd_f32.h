// The f32 vectors the dense kernels' register tiles are written in: AVX2's 8 floats (16
// registers) and, where the build has AVX-512, 16 floats (32 registers). A tile written
// against these traits is one source for both widths; each lane's FMA chain is the same
// either way, so the width does not change the bits.
// Available where the build has AVX2 + FMA (REC_SIMD_F32); Zmm also needs AVX-512F
// (REC_SIMD_F32_512).
#pragma once

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define REC_SIMD_F32 1

namespace rec::simd {

struct Ymm {
  using V = __m256;
  static constexpr int kLanes = 8;
  static V zero() { return _mm256_setzero_ps(); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
  static V relu(V x) { return _mm256_max_ps(x, _mm256_setzero_ps()); }
  static void store(float* p, V x) { _mm256_storeu_ps(p, x); }
};

#if defined(__AVX512F__)
#define REC_SIMD_F32_512 1
struct Zmm {
  using V = __m512;
  static constexpr int kLanes = 16;
  static V zero() { return _mm512_setzero_ps(); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
  static V relu(V x) { return _mm512_max_ps(x, _mm512_setzero_ps()); }
  static void store(float* p, V x) { _mm512_storeu_ps(p, x); }
};
#endif

}  // namespace rec::simd
#endif
