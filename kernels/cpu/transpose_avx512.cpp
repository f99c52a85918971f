// kernels/cpu/transpose.h on AVX-512: 16 rows in 16 zmm registers, turned
// by three rounds of shuffles (pairs, quads, 128-bit lanes).

// GCC 12's own AVX-512 intrinsics (`__m512 __Y = __Y;`, GCC PR105593) raise
// false -Wmaybe-uninitialized and -Wuninitialized warnings, as in conv.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include "kernels/cpu/transpose.h"

#include <immintrin.h>

#define CTC_AVX512 __attribute__((target("avx512f")))

namespace ctcscope::cpu {
namespace {

// r[i] (row i, 16 values) becomes column i: r[j][i] = old r[i][j].
CTC_AVX512 inline __attribute__((always_inline)) void transpose_registers(__m512 r[16]) {
  __m512 t[16], u[16];
  for (int i = 0; i < 8; ++i) {  // per 128-bit lane: a0 b0 a1 b1 and a2 b2 a3 b3 of rows 2i, 2i+1
    t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int i = 0; i < 4; ++i) {  // u[4i+e], lane l: element 4l+e of rows 4i..4i+3
    u[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0x44);
    u[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], 0xEE);
    u[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0x44);
    u[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], 0xEE);
  }
  for (int e = 0; e < 4; ++e) {  // gather lane l of the four row groups
    const __m512 lo01 = _mm512_shuffle_f32x4(u[e], u[4 + e], 0x44), hi01 = _mm512_shuffle_f32x4(u[e], u[4 + e], 0xEE);
    const __m512 lo23 = _mm512_shuffle_f32x4(u[8 + e], u[12 + e], 0x44);
    const __m512 hi23 = _mm512_shuffle_f32x4(u[8 + e], u[12 + e], 0xEE);
    r[e] = _mm512_shuffle_f32x4(lo01, lo23, 0x88);
    r[4 + e] = _mm512_shuffle_f32x4(lo01, lo23, 0xDD);
    r[8 + e] = _mm512_shuffle_f32x4(hi01, hi23, 0x88);
    r[12 + e] = _mm512_shuffle_f32x4(hi01, hi23, 0xDD);
  }
}

}  // namespace

bool transpose16_available() {
  __builtin_cpu_init();  // this may run in a static initialiser, before libgcc's own
  return __builtin_cpu_supports("avx512f");
}

CTC_AVX512 void transpose16(const float* src, std::int64_t lds, int rows, float* out, std::int64_t ldo) {
  __m512 r[16];
  for (int i = 0; i < 16; ++i) r[i] = i < rows ? _mm512_loadu_ps(src + i * lds) : _mm512_setzero_ps();
  transpose_registers(r);
  if (rows == 8) {
    for (int i = 0; i < 16; ++i) _mm256_storeu_ps(out + i * ldo, _mm512_castps512_ps256(r[i]));
  } else {
    for (int i = 0; i < 16; ++i) _mm512_storeu_ps(out + i * ldo, r[i]);
  }
}

}  // namespace ctcscope::cpu
