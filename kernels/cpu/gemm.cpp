// The GEMM of kernels/cpu/gemm.h. Loop order (Goto): for each kGemmKc block
// of depth, for each column panel of B (it stays in L1), for each row panel of
// A (streamed from L2), one micro-kernel call on a tile of C; with few
// columns, rows outer instead (gemm_panels says why). The micro-kernels are
// in gemm_avx512.cpp and gemm_avx2.cpp; here, which one runs.
#include "kernels/cpu/gemm.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "kernels/cpu/gemm_tiles.h"
#include "kernels/cpu/transpose.h"

namespace ctcscope::cpu {
namespace {

constexpr std::int64_t kMr = kGemmMr, kNr = kGemmNr, kKc = kGemmKc;
// B's last panel is only as wide as its columns need, in steps of one vector.
constexpr std::int64_t kLanes = 16;

std::int64_t round_up(std::int64_t v, std::int64_t to) { return (v + to - 1) / to * to; }

using ASource = GemmSource;

bool cpu_has(GemmPath path) {
  __builtin_cpu_init();  // this may run in a static initialiser, before libgcc's own
  switch (path) {
    case GemmPath::avx512: return __builtin_cpu_supports("avx512f");
    case GemmPath::avx2: return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    case GemmPath::plain: return true;
  }
  return false;
}

GemmPath best_path() {
  for (GemmPath path : {GemmPath::avx512, GemmPath::avx2})
    if (cpu_has(path)) return path;
  return GemmPath::plain;
}

// The best path, or the one CTC_GEMM_PATH names (to time or check another
// path on one machine); a name this CPU lacks, or no path's, is said and ignored.
GemmPath initial_path() {
  const GemmPath best = best_path();
  const char* v = std::getenv("CTC_GEMM_PATH");
  if (v == nullptr || *v == '\0') return best;
  for (GemmPath path : {GemmPath::plain, GemmPath::avx2, GemmPath::avx512}) {
    if (std::strcmp(v, gemm_path_name(path)) != 0) continue;
    if (cpu_has(path)) return path;
    std::fprintf(stderr, "CTC_GEMM_PATH=%s: this CPU lacks it; using %s\n", v, gemm_path_name(best));
    return best;
  }
  std::fprintf(stderr, "CTC_GEMM_PATH=%s: not a path (avx512, avx2 or plain); using %s\n", v, gemm_path_name(best));
  return best;
}

GemmPath g_path = initial_path();
const bool g_transpose16 = transpose16_available();  // the packs' 16 x 16 transposes

GemmTile tile_for(GemmPath path) {
  switch (path) {
    case GemmPath::avx512: return gemm_tile_avx512;
    case GemmPath::avx2: return gemm_tile_avx2;
    case GemmPath::plain: break;
  }
  return gemm_tile_plain;
}

// out[kk*w + j] = src[j*cs + kk] for kk < kc, j < used: a transposed view into
// a panel, 16 x 16 blocks through registers where the CPU has AVX-512.
void pack_transposed(const float* src, std::int64_t cs, std::int64_t kc, std::int64_t used, std::int64_t w,
                     float* out) {
  std::int64_t k_done = 0, j_done = 0;
  if (g_transpose16) {
    k_done = kc / 16 * 16, j_done = used / 16 * 16;
    for (std::int64_t k1 = 0; k1 < k_done; k1 += 16)
      for (std::int64_t j0 = 0; j0 < j_done; j0 += 16)
        transpose16(src + j0 * cs + k1, cs, 16, out + k1 * w + j0, w);
  }
  // The rest, 16 steps of depth (a cache line of each column) at a time.
  for (std::int64_t k1 = 0; k1 < kc; k1 += 16)
    for (std::int64_t j = k1 < k_done ? j_done : 0; j < used; ++j)
      for (std::int64_t kk = k1; kk < std::min(kc, k1 + 16); ++kk) out[kk * w + j] = src[j * cs + kk];
}

// Column panels [p_begin, p_end) of C over the whole depth; A packed
// (lda == 0) or rows in place. Within a block of depth, the operand whose
// block is smaller is reused from L2 while the other is streamed once: with
// few columns (a deep convolution on small maps), B's block stays and each A
// panel is read once; otherwise A's block stays and each B panel is read once.
void gemm_panels(std::int64_t m, std::int64_t n, std::int64_t k, ASource a, const float* pb, float* c,
                 std::int64_t ldc, bool accumulate, std::int64_t p_begin, std::int64_t p_end) {
  const std::int64_t mp = round_up(m, kMr), np = round_up(n, kLanes);
  const GemmTile tile = tile_for(g_path);
  const bool rows_outer = (p_end - p_begin) * kNr < mp;
  for (std::int64_t k0 = 0; k0 < k; k0 += kKc) {
    const std::int64_t kc = std::min(kKc, k - k0);
    const float* b_block = pb + k0 * np;
    const bool add = accumulate || k0 > 0;
    auto one = [&](std::int64_t i0, std::int64_t p) {
      const std::int64_t j0 = p * kNr;
      const ASource src = a.lda == 0 ? ASource{a.a + k0 * mp + i0 * kc, 0} : ASource{a.a + i0 * a.lda + k0, a.lda};
      tile(kc, src, b_block + j0 * kc, std::min(kNr, round_up(n - j0, kLanes)), c + i0 * ldc + j0, ldc,
           static_cast<int>(std::min(kMr, m - i0)), static_cast<int>(std::min(kNr, n - j0)), add);
    };
    if (rows_outer) {
      for (std::int64_t i0 = 0; i0 < m; i0 += kMr)
        for (std::int64_t p = p_begin; p < p_end; ++p) one(i0, p);
    } else {
      for (std::int64_t p = p_begin; p < p_end; ++p)
        for (std::int64_t i0 = 0; i0 < m; i0 += kMr) one(i0, p);
    }
  }
}

void gemm(std::int64_t m, std::int64_t n, std::int64_t k, ASource a, const float* pb, float* c, std::int64_t ldc,
          bool accumulate, int threads) {
  if (m <= 0 || n <= 0) return;
  if (k <= 0) {
    if (!accumulate)
      for (std::int64_t i = 0; i < m; ++i) std::fill(c + i * ldc, c + i * ldc + n, 0.0f);
    return;
  }
  const std::int64_t panels = (n + kNr - 1) / kNr;
  const std::int64_t team = std::clamp<std::int64_t>(threads, 1, panels);
  if (team == 1) return gemm_panels(m, n, k, a, pb, c, ldc, accumulate, 0, panels);
#pragma omp parallel for schedule(static) num_threads(static_cast<int>(team))
  for (std::int64_t t = 0; t < team; ++t)
    gemm_panels(m, n, k, a, pb, c, ldc, accumulate, panels * t / team, panels * (t + 1) / team);
}

// Panel `p` of the k-block at k0 (kc deep) of an operand `extent` wide whose
// panels are `width` wide (the last `last` wide): its offset in the packed
// buffer and the rows or columns it holds.
struct Panel {
  std::int64_t offset, used, width;
};
Panel panel(std::int64_t k0, std::int64_t kc, std::int64_t p, std::int64_t extent, std::int64_t width,
            std::int64_t last) {
  const std::int64_t used = std::min(width, extent - p * width);
  return {k0 * round_up(extent, last) + p * width * kc, used, std::min(width, round_up(used, last))};
}

// Runs body(k0, kc, p) for every panel p of every k-block, split between threads.
template <class Body>
void for_each_panel(std::int64_t k, std::int64_t extent, std::int64_t width, int threads, Body body) {
  const std::int64_t panels = (extent + width - 1) / width;
  const std::int64_t blocks = (k + kKc - 1) / kKc;
#pragma omp parallel for schedule(guided) num_threads(threads) if (threads > 1 && blocks * panels > 1)
  for (std::int64_t e = 0; e < blocks * panels; ++e) {
    const std::int64_t k0 = e / panels * kKc;
    body(k0, std::min(kKc, k - k0), e % panels);
  }
}

}  // namespace

// The plain path: one std::fma per product, in the vector kernels' order.
void gemm_tile_plain(std::int64_t kc, GemmSource src, const float* b, std::int64_t width, float* c,
                     std::int64_t ldc, int m, int n, bool accumulate) {
  float acc[kMr][kNr] = {};
  for (std::int64_t k = 0; k < kc; ++k)
    for (int i = 0; i < m; ++i) {
      const float ai = src.lda == 0 ? src.a[k * kMr + i] : src.a[i * src.lda + k];
      for (int j = 0; j < n; ++j) acc[i][j] = std::fma(ai, b[k * width + j], acc[i][j]);
    }
  for (int i = 0; i < m; ++i)
    for (int j = 0; j < n; ++j) c[i * ldc + j] = accumulate ? c[i * ldc + j] + acc[i][j] : acc[i][j];
}

bool gemm_path_supported(GemmPath path) { return cpu_has(path); }
GemmPath gemm_path() { return g_path; }
bool set_gemm_path(GemmPath path) {
  if (!cpu_has(path)) return false;
  g_path = path;
  return true;
}
const char* gemm_path_name(GemmPath path) {
  switch (path) {
    case GemmPath::avx512: return "avx512";
    case GemmPath::avx2: return "avx2";
    case GemmPath::plain: break;
  }
  return "plain";
}
bool gemm_available() { return g_path != GemmPath::plain; }

std::int64_t packed_a_size(std::int64_t m, std::int64_t k) { return round_up(m, kMr) * k; }
std::int64_t packed_b_size(std::int64_t k, std::int64_t n) { return k * round_up(n, kLanes); }

void pack_a(std::int64_t m, std::int64_t k, const float* a, std::int64_t rs, std::int64_t cs, float* dst,
            int threads) {
  for_each_panel(k, m, kMr, threads, [&](std::int64_t k0, std::int64_t kc, std::int64_t p) {
    const Panel pn = panel(k0, kc, p, m, kMr, kMr);
    float* out = dst + pn.offset;
    const float* src = a + p * kMr * rs + k0 * cs;
    if (pn.used < kMr) std::fill(out, out + kc * kMr, 0.0f);
    std::int64_t k_done = 0;
    if (g_transpose16 && cs == 1 && pn.used == kMr) {  // rows as stored: 16 steps at a time through a transpose
      k_done = kc / 16 * 16;
      for (std::int64_t k1 = 0; k1 < k_done; k1 += 16)
        transpose16(src + k1, rs, static_cast<int>(kMr), out + k1 * kMr, kMr);
    }
    if (rs == 1) {  // a transposed view: a panel's rows of one k are side by side
      for (std::int64_t kk = k_done; kk < kc; ++kk)
        for (std::int64_t i = 0; i < pn.used; ++i) out[kk * kMr + i] = src[kk * cs + i];
    } else {
      for (std::int64_t i = 0; i < pn.used; ++i)
        for (std::int64_t kk = k_done; kk < kc; ++kk) out[kk * kMr + i] = src[i * rs + kk * cs];
    }
  });
}

void pack_b(std::int64_t k, std::int64_t n, const float* b, std::int64_t rs, std::int64_t cs, float* dst,
            int threads) {
  for_each_panel(k, n, kNr, threads, [&](std::int64_t k0, std::int64_t kc, std::int64_t p) {
    const Panel pn = panel(k0, kc, p, n, kNr, kLanes);
    const std::int64_t w = pn.width;
    float* out = dst + pn.offset;
    const float* src = b + k0 * rs + p * kNr * cs;
    if (pn.used == w && cs == 1) {
      for (std::int64_t kk = 0; kk < kc; ++kk) std::memcpy(out + kk * w, src + kk * rs, sizeof(float) * w);
      return;
    }
    if (pn.used < w) std::fill(out, out + kc * w, 0.0f);
    if (cs == 1) {
      for (std::int64_t kk = 0; kk < kc; ++kk)
        for (std::int64_t j = 0; j < pn.used; ++j) out[kk * w + j] = src[kk * rs + j];
    } else if (rs == 1) {
      pack_transposed(src, cs, kc, pn.used, w, out);
    } else {
      for (std::int64_t kk = 0; kk < kc; ++kk)
        for (std::int64_t j = 0; j < pn.used; ++j) out[kk * w + j] = src[kk * rs + j * cs];
    }
  });
}

void pack_b_row(std::int64_t depth, std::int64_t n, std::int64_t kk, std::int64_t j, std::int64_t len,
                const float* src, float* dst) {
  pack_b_row_with(depth, n, kk, j, len, src, dst, [](float* to, const float* from, std::int64_t count) {
    std::memcpy(to, from, sizeof(float) * count);
  });
}

PackedBPlace packed_b_place(std::int64_t depth, std::int64_t n, std::int64_t kk, std::int64_t j) {
  const std::int64_t k0 = kk / kKc * kKc, kc = std::min(kKc, depth - k0);
  const std::int64_t p = j / kNr, width = std::min(kNr, round_up(n - p * kNr, kLanes));
  return {k0 * round_up(n, kLanes) + p * kNr * kc + (kk - k0) * width + (j - p * kNr), width};
}

void zero_packed_b_padding(std::int64_t depth, std::int64_t n, float* dst) {
  const std::int64_t last = (n - 1) / kNr;
  for (std::int64_t k0 = 0; k0 < depth; k0 += kKc) {
    const std::int64_t kc = std::min(kKc, depth - k0);
    const Panel pn = panel(k0, kc, last, n, kNr, kLanes);
    for (std::int64_t kk = 0; kk < kc; ++kk)
      std::fill(dst + pn.offset + kk * pn.width + pn.used, dst + pn.offset + (kk + 1) * pn.width, 0.0f);
  }
}

void gemm_packed(std::int64_t m, std::int64_t n, std::int64_t k, const float* packed_a, const float* packed_b,
                 float* c, std::int64_t ldc, bool accumulate, int threads) {
  gemm(m, n, k, ASource{packed_a, 0}, packed_b, c, ldc, accumulate, threads);
}

void gemm_rows(std::int64_t m, std::int64_t n, std::int64_t k, const float* a, std::int64_t lda,
               const float* packed_b, float* c, std::int64_t ldc, bool accumulate, int threads) {
  gemm(m, n, k, ASource{a, std::max<std::int64_t>(lda, 1)}, packed_b, c, ldc, accumulate, threads);
}

}  // namespace ctcscope::cpu
