// The AVX-512 micro-kernel of kernels/cpu/gemm_tiles.h:
// an 8 x 48 tile of C in 24 zmm registers (the 32 registers less B's three
// vectors and A's broadcast). Built with target("avx512f") on each function,
// whatever the build's -march, and called only where cpuid reports AVX-512F.

// GCC 12's own AVX-512 intrinsics (`__m512 __Y = __Y;`, GCC PR105593) raise
// false -Wmaybe-uninitialized and -Wuninitialized warnings, as in conv.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif

#include <immintrin.h>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_tiles.h"

#define CTC_AVX512 __attribute__((target("avx512f")))

namespace ctcscope::cpu {
namespace {

constexpr int kMr = static_cast<int>(kGemmMr);

CTC_AVX512 inline int lanes_in(int n, int j) { return n - 16 * j < 0 ? 0 : (n - 16 * j > 16 ? 16 : n - 16 * j); }

// C tile (m <= kMr rows, n <= 16*kVectors columns) = (accumulate ? C : 0) +
// A * b over kc steps; b is a packed panel 16*kVectors wide.
template <int kVectors, bool kPacked>
CTC_AVX512 void micro_kernel(std::int64_t kc, GemmSource src, const float* b, float* c, std::int64_t ldc, int m,
                             int n, bool accumulate) {
  const float* rows[kMr];
  for (int i = 0; i < kMr; ++i) rows[i] = src.a + (i < m ? i : m - 1) * src.lda;
  __m512 acc[kMr][kVectors];
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i)
    for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm512_setzero_ps();
  for (std::int64_t k = 0; k < kc; ++k) {
    __m512 bv[kVectors];
    for (int j = 0; j < kVectors; ++j) bv[j] = _mm512_loadu_ps(b + 16 * j);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m512 ai = _mm512_set1_ps(kPacked ? src.a[k * kMr + i] : rows[i][k]);
      for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
    }
    b += 16 * kVectors;
  }
  if (m == kMr && n == 16 * kVectors) {
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      float* ci = c + i * ldc;
      for (int j = 0; j < kVectors; ++j) {
        __m512 v = acc[i][j];
        if (accumulate) v = _mm512_add_ps(v, _mm512_loadu_ps(ci + 16 * j));
        _mm512_storeu_ps(ci + 16 * j, v);
      }
    }
    return;
  }
  __mmask16 mask[kVectors];
  for (int j = 0; j < kVectors; ++j) mask[j] = static_cast<__mmask16>((1u << lanes_in(n, j)) - 1);
  for (int i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < kVectors; ++j) {
      __m512 v = acc[i][j];
      if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask[j], ci + 16 * j));
      _mm512_mask_storeu_ps(ci + 16 * j, mask[j], v);
    }
  }
}

}  // namespace

CTC_AVX512 void gemm_tile_avx512(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                                 std::int64_t ldc, int m, int n, bool accumulate) {
  if (src.lda == 0) {
    if (width == 48) return micro_kernel<3, true>(kc, src, b, c, ldc, m, n, accumulate);
    if (width == 32) return micro_kernel<2, true>(kc, src, b, c, ldc, m, n, accumulate);
    return micro_kernel<1, true>(kc, src, b, c, ldc, m, n, accumulate);
  }
  if (width == 48) return micro_kernel<3, false>(kc, src, b, c, ldc, m, n, accumulate);
  if (width == 32) return micro_kernel<2, false>(kc, src, b, c, ldc, m, n, accumulate);
  micro_kernel<1, false>(kc, src, b, c, ldc, m, n, accumulate);
}

}  // namespace ctcscope::cpu
