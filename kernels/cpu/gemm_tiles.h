// The micro-kernels behind kernels/cpu/gemm.cpp, one file per instruction
// set (gemm_avx512.cpp, gemm_avx2.cpp). Each file builds its functions with a
// target attribute, not with the whole build's flags, so that a binary for
// any x86-64 carries them all; gemm.cpp calls one only after cpuid said the
// CPU has its instructions.
#pragma once

#include <cstdint>

namespace ctcscope::cpu {

// Where a micro-kernel reads A: packed (A(i,k) at a[k*kGemmMr + i]) or rows in
// place (at a[i*lda + k]; rows past m read row m-1, whose sums are dropped).
struct GemmSource {
  const float* a;
  std::int64_t lda;  // 0: packed
};

// C tile (m <= kGemmMr rows, n columns, rows ldc apart) = (accumulate ? C : 0)
// + A * B over kc steps of depth, B a packed panel `width` wide (16, 32 or 48,
// n <= width). Every element is one chain of fused multiply-adds over k from
// zero, then one add of C: the same bits from every one of them.
using GemmTile = void (*)(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                          std::int64_t ldc, int m, int n, bool accumulate);
void gemm_tile_plain(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                     std::int64_t ldc, int m, int n, bool accumulate);
void gemm_tile_avx2(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                    std::int64_t ldc, int m, int n, bool accumulate);
void gemm_tile_avx512(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                      std::int64_t ldc, int m, int n, bool accumulate);

}  // namespace ctcscope::cpu
