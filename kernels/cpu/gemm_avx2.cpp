// The AVX2 micro-kernel of kernels/cpu/gemm_tiles.h, for x86-64 CPUs with
// AVX2 and FMA but not AVX-512: the packed panels are the AVX-512 kernel's
// (8 rows of A, 16-48 columns of B), walked in sub-tiles of 4 rows x 24
// columns, which keep 12 ymm accumulators, B's 3 vectors and A's broadcast
// in the 16 registers. Each C element is the same chain of fused
// multiply-adds as on the other paths, so the bits are the same. Built with
// target("avx2,fma") on each function, whatever the build's -march.
#include <immintrin.h>

#include "kernels/cpu/gemm.h"
#include "kernels/cpu/gemm_tiles.h"

#define CTC_AVX2 __attribute__((target("avx2,fma")))

namespace ctcscope::cpu {
namespace {

constexpr int kMr = static_cast<int>(kGemmMr);
constexpr int kRows = 4;  // of a sub-tile

// The sub-tile at rows r0.., columns c0.. of the tile: kVectors vectors of 8
// columns, of which n are stored; m rows stored (m <= kRows).
template <int kVectors, bool kPacked>
CTC_AVX2 void sub_tile(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                       std::int64_t ldc, int r0, int m_tile, int m, int n, bool accumulate) {
  const float* rows[kRows];
  for (int i = 0; i < kRows; ++i) rows[i] = src.a + (r0 + i < m_tile ? r0 + i : m_tile - 1) * src.lda;
  // Every loop over the tile unrolled, so that acc lives in registers, not on the stack.
  __m256 acc[kRows][kVectors];
#pragma GCC unroll 4
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm256_setzero_ps();
  for (std::int64_t k = 0; k < kc; ++k) {
    __m256 bv[kVectors];
    for (int j = 0; j < kVectors; ++j) {
      bv[j] = _mm256_loadu_ps(b + k * width + 8 * j);
      // Held in a register: GCC would otherwise load B again in every row's
      // FMA (12 loads of B a step instead of 3), and the loads, not the FMAs,
      // would set the pace.
      asm("" : "+x"(bv[j]));
    }
#pragma GCC unroll 4
    for (int i = 0; i < kRows; ++i) {
      const __m256 ai = _mm256_broadcast_ss(kPacked ? src.a + k * kMr + r0 + i : rows[i] + k);
      for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm256_fmadd_ps(ai, bv[j], acc[i][j]);
    }
  }
  if (m == kRows && n == 8 * kVectors) {
#pragma GCC unroll 4
    for (int i = 0; i < kRows; ++i)
      for (int j = 0; j < kVectors; ++j) {
        __m256 v = acc[i][j];
        if (accumulate) v = _mm256_add_ps(v, _mm256_loadu_ps(c + i * ldc + 8 * j));
        _mm256_storeu_ps(c + i * ldc + 8 * j, v);
      }
    return;
  }
  float spill[kRows][8 * kVectors];
#pragma GCC unroll 4
  for (int i = 0; i < kRows; ++i)
    for (int j = 0; j < kVectors; ++j) _mm256_storeu_ps(spill[i] + 8 * j, acc[i][j]);
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + spill[i][j] : spill[i][j];
}

template <bool kPacked>
CTC_AVX2 void tile(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c, std::int64_t ldc,
                   int m, int n, bool accumulate) {
  for (int r0 = 0; r0 < m; r0 += kRows) {
    const int rows = m - r0 < kRows ? m - r0 : kRows;
    for (int c0 = 0; c0 < n; c0 += 24) {
      const int vectors = static_cast<int>(width - c0 < 24 ? (width - c0) / 8 : 3);
      const int cols = n - c0 < 8 * vectors ? n - c0 : 8 * vectors;
      float* ct = c + r0 * ldc + c0;
      if (vectors == 3) {
        sub_tile<3, kPacked>(kc, src, b + c0, width, ct, ldc, r0, m, rows, cols, accumulate);
      } else if (vectors == 2) {
        sub_tile<2, kPacked>(kc, src, b + c0, width, ct, ldc, r0, m, rows, cols, accumulate);
      } else {
        sub_tile<1, kPacked>(kc, src, b + c0, width, ct, ldc, r0, m, rows, cols, accumulate);
      }
    }
  }
}

}  // namespace

CTC_AVX2 void gemm_tile_avx2(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                             std::int64_t ldc, int m, int n, bool accumulate) {
  if (src.lda == 0) return tile<true>(kc, src, b, width, c, ldc, m, n, accumulate);
  tile<false>(kc, src, b, width, c, ldc, m, n, accumulate);
}

}  // namespace ctcscope::cpu
