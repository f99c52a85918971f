// The packed GEMM of kernels/cpu/gemm.h. Loop order (Goto): for each kGemmKc
// block of depth, for each column panel of B (it stays in L1), for each row
// panel of A (streamed from L2; the other way round for few columns), one micro-kernel call on a kGemmMr x kGemmNr
// tile of C.

#include "kernels/cpu/gemm.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#if defined(__AVX512F__)
#include <immintrin.h>
#endif

namespace ctcscope::cpu {
namespace {

constexpr std::int64_t kMr = kGemmMr, kNr = kGemmNr, kKc = kGemmKc;

std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }

#if defined(__AVX512F__)
constexpr int kVectors = kNr / 16;

// C tile (m <= kMr rows, n <= kNr columns) = (accumulate ? C : 0) + a * b over
// kc steps, a: kc x kMr, b: kc x kNr, both packed.
void micro_kernel(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc, int m, int n,
                  bool accumulate) {
  __m512 acc[kMr][kVectors];
#pragma GCC unroll 8
  for (int i = 0; i < kMr; ++i)
    for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm512_setzero_ps();
  for (std::int64_t k = 0; k < kc; ++k) {
    __m512 bv[kVectors];
    for (int j = 0; j < kVectors; ++j) bv[j] = _mm512_loadu_ps(b + 16 * j);
#pragma GCC unroll 8
    for (int i = 0; i < kMr; ++i) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      for (int j = 0; j < kVectors; ++j) acc[i][j] = _mm512_fmadd_ps(ai, bv[j], acc[i][j]);
    }
    a += kMr;
    b += kNr;
  }
  if (m == kMr && n == kNr) {
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
  for (int j = 0; j < kVectors; ++j) {
    const int lanes = std::clamp(n - 16 * j, 0, 16);
    mask[j] = static_cast<__mmask16>((1u << lanes) - 1);
  }
  for (int i = 0; i < m; ++i) {
    float* ci = c + i * ldc;
    for (int j = 0; j < kVectors; ++j) {
      __m512 v = acc[i][j];
      if (accumulate) v = _mm512_add_ps(v, _mm512_maskz_loadu_ps(mask[j], ci + 16 * j));
      _mm512_mask_storeu_ps(ci + 16 * j, mask[j], v);
    }
  }
}
#else
// The same contract in plain C++, for builds without AVX-512 (the
// convolutions use Eigen there; this keeps gemm_packed testable).
void micro_kernel(std::int64_t kc, const float* a, const float* b, float* c, std::int64_t ldc, int m, int n,
                  bool accumulate) {
  float acc[kMr][kNr] = {};
  for (std::int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < kMr; ++i)
      for (int j = 0; j < kNr; ++j) acc[i][j] += a[k * kMr + i] * b[k * kNr + j];
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}
#endif

// Column panels [p_begin, p_end) of C over the whole depth. Within a block of
// depth, the operand whose block is smaller is reused from L2 while the other
// is streamed once: with few columns (a deep convolution on small maps), the B
// block stays and each A panel is read once into L1; otherwise the A block
// stays and each B panel is read once.
void gemm_panels(std::int64_t m, std::int64_t n, std::int64_t k, const float* pa, const float* pb, float* c,
                 std::int64_t ldc, bool accumulate, std::int64_t p_begin, std::int64_t p_end) {
  const std::int64_t mp = round_up(m, kMr), np = round_up(n, kNr);
  const bool rows_outer = (p_end - p_begin) * kNr < mp;
  for (std::int64_t k0 = 0; k0 < k; k0 += kKc) {
    const std::int64_t kc = std::min(kKc, k - k0);
    const float* a_block = pa + k0 * mp;
    const float* b_block = pb + k0 * np;
    const bool add = accumulate || k0 > 0;
    auto tile = [&](std::int64_t i0, std::int64_t p) {
      const std::int64_t j0 = p * kNr;
      micro_kernel(kc, a_block + i0 * kc, b_block + j0 * kc, c + i0 * ldc + j0, ldc,
                   static_cast<int>(std::min(kMr, m - i0)), static_cast<int>(std::min(kNr, n - j0)), add);
    };
    if (rows_outer) {
      for (std::int64_t i0 = 0; i0 < m; i0 += kMr)
        for (std::int64_t p = p_begin; p < p_end; ++p) tile(i0, p);
    } else {
      for (std::int64_t p = p_begin; p < p_end; ++p)
        for (std::int64_t i0 = 0; i0 < m; i0 += kMr) tile(i0, p);
    }
  }
}

// Panel `p` of the k-block starting at k0 (kc deep) of an operand with
// `extent` rows (A) or columns (B), panels `width` wide: its offset in the
// packed buffer and its width in use.
struct Panel {
  std::int64_t offset, used;
};
Panel panel(std::int64_t k0, std::int64_t kc, std::int64_t p, std::int64_t extent, std::int64_t width) {
  return {k0 * round_up(extent, width) + p * width * kc, std::min(width, extent - p * width)};
}

// Runs body(k0, kc, p) for every panel p of every k-block, split between threads.
template <class Body>
void for_each_panel(std::int64_t k, std::int64_t extent, std::int64_t width, int threads, Body body) {
  const std::int64_t panels = (extent + width - 1) / width;
  const std::int64_t blocks = (k + kKc - 1) / kKc;
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1 && blocks * panels > 1)
  for (std::int64_t e = 0; e < blocks * panels; ++e) {
    const std::int64_t k0 = e / panels * kKc;
    body(k0, std::min(kKc, k - k0), e % panels);
  }
}

}  // namespace

std::int64_t packed_a_size(std::int64_t m, std::int64_t k) { return round_up(m, kMr) * k; }
std::int64_t packed_b_size(std::int64_t k, std::int64_t n) { return k * round_up(n, kNr); }

void pack_a(std::int64_t m, std::int64_t k, const float* a, std::int64_t rs, std::int64_t cs, float* dst,
            int threads) {
  for_each_panel(k, m, kMr, threads, [&](std::int64_t k0, std::int64_t kc, std::int64_t p) {
    const Panel pn = panel(k0, kc, p, m, kMr);
    float* out = dst + pn.offset;
    const float* src = a + p * kMr * rs + k0 * cs;
    if (pn.used < kMr) std::fill(out, out + kc * kMr, 0.0f);
    if (rs == 1) {  // a transposed view: a panel's rows of one k are side by side
      for (std::int64_t kk = 0; kk < kc; ++kk)
        for (std::int64_t i = 0; i < pn.used; ++i) out[kk * kMr + i] = src[kk * cs + i];
    } else {
      for (std::int64_t i = 0; i < pn.used; ++i)
        for (std::int64_t kk = 0; kk < kc; ++kk) out[kk * kMr + i] = src[i * rs + kk * cs];
    }
  });
}

void pack_b(std::int64_t k, std::int64_t n, const float* b, std::int64_t rs, std::int64_t cs, float* dst,
            int threads) {
  for_each_panel(k, n, kNr, threads, [&](std::int64_t k0, std::int64_t kc, std::int64_t p) {
    const Panel pn = panel(k0, kc, p, n, kNr);
    float* out = dst + pn.offset;
    const float* src = b + k0 * rs + p * kNr * cs;
    if (pn.used == kNr && cs == 1) {
      for (std::int64_t kk = 0; kk < kc; ++kk) std::memcpy(out + kk * kNr, src + kk * rs, sizeof(float) * kNr);
      return;
    }
    if (pn.used < kNr) std::fill(out, out + kc * kNr, 0.0f);
    if (cs == 1) {
      for (std::int64_t kk = 0; kk < kc; ++kk)
        for (std::int64_t j = 0; j < pn.used; ++j) out[kk * kNr + j] = src[kk * rs + j];
    } else {  // a transposed view: 16 steps of depth (a cache line of each column) at a time
      for (std::int64_t k1 = 0; k1 < kc; k1 += 16)
        for (std::int64_t j = 0; j < pn.used; ++j)
          for (std::int64_t kk = k1; kk < std::min(kc, k1 + 16); ++kk) out[kk * kNr + j] = src[j * cs + kk * rs];
    }
  });
}

void gemm_packed(std::int64_t m, std::int64_t n, std::int64_t k, const float* packed_a, const float* packed_b,
                 float* c, std::int64_t ldc, bool accumulate, int threads) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (std::int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  const std::int64_t panels = (n + kNr - 1) / kNr;
  const std::int64_t team = std::clamp<std::int64_t>(threads, 1, panels);
  if (team == 1) return gemm_panels(m, n, k, packed_a, packed_b, c, ldc, accumulate, 0, panels);
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(team))
  for (std::int64_t t = 0; t < team; ++t)
    gemm_panels(m, n, k, packed_a, packed_b, c, ldc, accumulate, panels * t / team, panels * (t + 1) / team);
}

}  // namespace ctcscope::cpu
