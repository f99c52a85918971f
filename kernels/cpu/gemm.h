// The engine's own f32 GEMM for the convolutions: B packed into panels of
// kGemmNr columns (the last only as wide as its columns need, in whole
// vectors), kGemmKc deep; A packed into kGemmMr-row panels or read in place
// from rows; and a register-blocked micro-kernel that keeps a tile of C in
// vector registers (below, which one). On one Zen 5 core
// (bench/bench_gemm, bench/RESULTS.md) Eigen's kernel ran the convolutions'
// GEMM shapes at 100-140 GFLOP/s, this one at 155-200, against the core's FMA
// ceiling of 213-217.
//
// Why packing is separate: a convolution multiplies the same weights by every
// chunk of images, so it packs them once per call and reuses them (Eigen
// packed them again for every chunk); and an A whose rows already run along
// the sum (Winograd's transformed tiles, dy) is read where it is.
//
// Contract: C[M,N] = (accumulate ? C : 0) + A[M,K] * B[K,N], with A(i,k) at
// a[i*rs + k*cs] and B(k,j) likewise, so that either operand may be a
// transposed view. Each C element is summed over k in order within a kGemmKc
// block, the blocks added to C in order: the bits do not depend on how the
// columns are split between threads, nor on whether A was packed.
//
// Which micro-kernel runs is chosen at run time from what the CPU reports
// (cpuid), not from the compiler's target: AVX-512 (8x48 tiles in 24 zmm
// registers), else AVX2 with FMA (4x24 sub-tiles in 12 ymm registers), so
// one binary built for any x86-64 (CTC_NATIVE=OFF) still multiplies with
// the best the machine has. All paths, the plain C++ one included, compute
// every product-sum as the same chain of fused multiply-adds, so they give the
// same bits. Where the CPU has neither, gemm_available() is false and the
// convolutions use Eigen (the plain kernel, one std::fma per product, is
// there to be tested against, not to be fast). CTC_GEMM_PATH=avx2 (or avx512,
// or plain: the convolutions then use Eigen) in the environment chooses
// another path the CPU has, to time it.
#pragma once

#include <cstdint>

namespace ctcscope::cpu {

constexpr std::int64_t kGemmMr = 8;    // rows of a C tile: 8 broadcasts of A per k
constexpr std::int64_t kGemmNr = 48;   // columns of a C tile: 3 vectors of B per k (AVX-512)
constexpr std::int64_t kGemmKc = 256;  // depth of a block: a B panel is 48 KiB, the L1

enum class GemmPath { plain, avx2, avx512 };

bool gemm_path_supported(GemmPath path);  // by this CPU (plain always)
GemmPath gemm_path();                     // in use: the best supported, unless set_gemm_path chose another
// Chooses the path (tests, benchmarks); false, and nothing changes, where the CPU lacks it.
bool set_gemm_path(GemmPath path);
const char* gemm_path_name(GemmPath path);  // "plain", "avx2", "avx512"
// Whether the convolutions multiply with this GEMM: a vector path is in use.
bool gemm_available();

// Floats that pack_a / pack_b write (rows or columns rounded up to a panel).
std::int64_t packed_a_size(std::int64_t m, std::int64_t k);
std::int64_t packed_b_size(std::int64_t k, std::int64_t n);

// Packs A[M,K] (A(i,k) = a[i*rs + k*cs]) for gemm_packed; the padding is zero.
// With threads > 1, the panels are split between that many OpenMP threads.
void pack_a(std::int64_t m, std::int64_t k, const float* a, std::int64_t rs, std::int64_t cs, float* dst,
            int threads = 1);
// Packs B[K,N] (B(k,j) = b[k*rs + j*cs]) for gemm_packed, as pack_a.
void pack_b(std::int64_t k, std::int64_t n, const float* b, std::int64_t rs, std::int64_t cs, float* dst,
            int threads = 1);

// B(kk, j..j+len) = src[0..len) written into pack_b's layout of a depth x n
// operand, for a producer that builds B a piece of a row at a time (im2col);
// zero_packed_b_padding then clears the columns past n that pack_b would.
void pack_b_row(std::int64_t depth, std::int64_t n, std::int64_t kk, std::int64_t j, std::int64_t len,
                const float* src, float* dst);
// The same, each run that falls in one panel written by copy(to, from,
// count): a transform of the values (a gate, a batch norm) rides along.
template <class Copy>
void pack_b_row_with(std::int64_t depth, std::int64_t n, std::int64_t kk, std::int64_t j, std::int64_t len,
                     const float* src, float* dst, Copy copy) {
  constexpr std::int64_t kLanes = 16;  // the last panel's width is a whole number of vectors
  const auto round_up = [](std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; };
  // The row's block of depth and the last panel's width, worked out once per row, not per piece.
  const std::int64_t k0 = kk / kGemmKc * kGemmKc, kc = depth - k0 < kGemmKc ? depth - k0 : kGemmKc, row = kk - k0;
  float* block = dst + k0 * round_up(n, kLanes);
  const std::int64_t last = (n - 1) / kGemmNr, last_width = round_up(n - last * kGemmNr, kLanes);
  while (len > 0) {
    const std::int64_t p = j / kGemmNr, in = j - p * kGemmNr;
    const std::int64_t piece = len < kGemmNr - in ? len : kGemmNr - in;  // up to the panel's end
    copy(block + p * kGemmNr * kc + row * (p == last ? last_width : kGemmNr) + in, src, piece);
    j += piece, src += piece, len -= piece;
  }
}
void zero_packed_b_padding(std::int64_t depth, std::int64_t n, float* dst);

// Where B(kk, j) lies in pack_b's layout of a depth x n operand: its offset,
// and how far apart B(kk+1, j) is, for the rows of kk's block of depth
// (kGemmKc, aligned) and the columns of j's panel (kGemmNr, aligned).
struct PackedBPlace {
  std::int64_t offset, row_stride;
};
PackedBPlace packed_b_place(std::int64_t depth, std::int64_t n, std::int64_t kk, std::int64_t j);

// C[M,N] (rows ldc apart) = (accumulate ? C : 0) + A * B on packed operands.
// With threads > 1, the column panels are split between that many OpenMP
// threads (same bits).
void gemm_packed(std::int64_t m, std::int64_t n, std::int64_t k, const float* packed_a, const float* packed_b,
                 float* c, std::int64_t ldc, bool accumulate, int threads = 1);
// The same with A read in place: A(i,k) = a[i*lda + k].
void gemm_rows(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
               const float* packed_b, float* c, std::int64_t ldc, bool accumulate, int threads = 1);

}  // namespace ctcscope::cpu
