// Winograd F(m x m, 3x3), as kernels/cpu/conv_winograd.h says. With B, G, A
// the transforms of Lavin and Gray (F4: interpolation points 0, +-1, +-2,
// inf; F2: 0, +-1, inf), n = m + 2 inputs per tile side:
//   U = G w G^T (n x n per output and input channel, once per call),
//   V = B^T d B (n x n per input tile and channel),
//   M[xi] = U[xi] * V[xi] for each of the n^2 points xi (a GEMM [K,C]x[C,tiles]),
//   y tile = A^T M A (m x m per output channel and tile).
// The input is first copied with its padding into blocks of kLanes channels
// interleaved pixel by pixel, so that a tile's row of one channel block is a
// few whole vectors and every transform runs kLanes channels at once, a lane
// each. The batch's tiles then go through in chunks, a thread each, so that a
// chunk's V and M stay in its core's cache from transform to GEMM to output.

// GCC 12's own AVX-512 intrinsics raise false -Wmaybe-uninitialized warnings
// once Eigen's kernels are inlined (GCC PR105593), as in conv.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "kernels/cpu/conv_winograd.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "kernels/cpu/batchnorm_affine.h"
#include "kernels/cpu/context.h"
#include "kernels/cpu/gemm.h"
#include "kernels/cpu/transpose.h"

namespace ctcscope::cpu {
namespace {

constexpr std::int64_t kLanes = 16;  // channels per pass: one AVX-512 vector of f32
// V and M of one chunk together: about a core's own cache (1 MiB of L2 on
// these Zen 5 cores), and the fewest tiles a chunk's GEMMs take.
constexpr std::int64_t kChunkBytes = 1024 * 1024;
constexpr std::int64_t kMinChunkTiles = 32;
// At least this many chunks where the tiles allow, so that threads, which
// take whole chunks, end nearly together.
constexpr std::int64_t kChunks = 8;
// Where a tile pays (winograd_tile): the share of its tiles' outputs inside
// the map, and the fewest channels in and out. Measured with bench_conv
// (bench/RESULTS.md): F4 at 5x5 (39% used) took twice the direct sum's time,
// at 9x9 (56%) 0.75 of it.
constexpr double kMinTileUse = 0.5;
constexpr std::int64_t kMinChannels = 16;
// And at least one tile in the batch per this many of K*C: U is transformed
// once and packed again for every chunk's GEMMs, which at 512 channels and
// 5x5 maps (144 tiles for F2 in a batch of 16) took longer than the direct sum.
constexpr std::int64_t kWeightsPerTile = 512;
// Floats between one point's V (or M) and the next beyond the point's own: a
// tile's transform stores (and the output transform loads) one vector for
// each of the 36 points, and where nt * channels is a multiple of 1024 the
// points lie a multiple of 4 KiB apart, so all 36 fell in one set of the L1
// cache (12 ways) and evicted each other. A cache line more spreads them.
constexpr std::int64_t kPointPad = 16;

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

int& winograd_switch() {
  static int setting = [] {
    const char* v = std::getenv("CTC_WINOGRAD");
    if (v == nullptr) return 1;
    if (std::strcmp(v, "0") == 0) return 0;
    if (std::strcmp(v, "2") == 0) return 2;
    if (std::strcmp(v, "4") == 0) return 4;
    return 1;
  }();
  return setting;
}

// The 1-D transforms, on kLanes lanes at once: in[j*is + lane] are the inputs,
// out[i*os + lane] the outputs.

// F(4x4, 3x3).
struct F4 {
  static constexpr std::int64_t kTile = 4, kIn = 6;

  // B^T: six inputs to six.
  static void input_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
#pragma omp simd
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float z0 = in[l], z1 = in[is + l], z2 = in[2 * is + l], z3 = in[3 * is + l], z4 = in[4 * is + l],
                  z5 = in[5 * is + l];
      out[l] = 4 * z0 - 5 * z2 + z4;
      out[os + l] = -4 * (z1 + z2) + z3 + z4;
      out[2 * os + l] = 4 * (z1 - z2) - z3 + z4;
      out[3 * os + l] = 2 * (z3 - z1) - z2 + z4;
      out[4 * os + l] = 2 * (z1 - z3) - z2 + z4;
      out[5 * os + l] = 4 * z1 - 5 * z3 + z5;
    }
  }

  // A^T: six to four.
  static void output_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
#pragma omp simd
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float m0 = in[l], m1 = in[is + l], m2 = in[2 * is + l], m3 = in[3 * is + l], m4 = in[4 * is + l],
                  m5 = in[5 * is + l];
      out[l] = m0 + m1 + m2 + m3 + m4;
      out[os + l] = (m1 - m2) + 2 * (m3 - m4);
      out[2 * os + l] = (m1 + m2) + 4 * (m3 + m4);
      out[3 * os + l] = (m1 - m2) + 8 * (m3 - m4) + m5;
    }
  }

  // G: three taps to six.
  static void filter_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
#pragma omp simd
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float g0 = in[l], g1 = in[is + l], g2 = in[2 * is + l];
      out[l] = g0 / 4;
      out[os + l] = -(g0 + g1 + g2) / 6;
      out[2 * os + l] = -(g0 - g1 + g2) / 6;
      out[3 * os + l] = g0 / 24 + g1 / 12 + g2 / 6;
      out[4 * os + l] = g0 / 24 - g1 / 12 + g2 / 6;
      out[5 * os + l] = g2;
    }
  }
};

// F(2x2, 3x3).
struct F2 {
  static constexpr std::int64_t kTile = 2, kIn = 4;

  static void input_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
#pragma omp simd
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float z0 = in[l], z1 = in[is + l], z2 = in[2 * is + l], z3 = in[3 * is + l];
      out[l] = z0 - z2;
      out[os + l] = z1 + z2;
      out[2 * os + l] = z2 - z1;
      out[3 * os + l] = z1 - z3;
    }
  }

  static void output_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
#pragma omp simd
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float m0 = in[l], m1 = in[is + l], m2 = in[2 * is + l], m3 = in[3 * is + l];
      out[l] = m0 + m1 + m2;
      out[os + l] = m1 - m2 - m3;
    }
  }

  static void filter_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
#pragma omp simd
    for (std::int64_t l = 0; l < kLanes; ++l) {
      const float g0 = in[l], g1 = in[is + l], g2 = in[2 * is + l];
      out[l] = g0;
      out[os + l] = (g0 + g1 + g2) / 2;
      out[2 * os + l] = (g0 - g1 + g2) / 2;
      out[3 * os + l] = g2;
    }
  }
};

struct Tiles {
  std::int64_t th, tw;  // tiles per column and row of an image
  std::int64_t hp, wp;  // the padded image the tiles read: kTile*th + 2 by kTile*tw + 2
};

Tiles tiles_of(const WinogradShape& s, std::int64_t tile) {
  Tiles t{};
  t.th = (s.P + tile - 1) / tile, t.tw = (s.Q + tile - 1) / tile;
  t.hp = tile * t.th + 2, t.wp = tile * t.tw + 2;
  return t;
}

// The share of a tiling's outputs that fall inside the map.
double tile_use(const WinogradShape& s, std::int64_t tile) {
  const Tiles t = tiles_of(s, tile);
  return static_cast<double>(s.P * s.Q) / static_cast<double>(tile * tile * t.th * t.tw);
}

std::int64_t round_to_lanes(std::int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Channel counts rounded up to whole blocks of kLanes; the extra channels are zeros.
struct Blocks {
  std::int64_t c, k;
};

// The CPU has AVX-512: 16 x 16 blocks change layout through registers.
const bool g_transpose16 = transpose16_available();

// out[xi*stride + l] = (G w'[k][c0+l] G^T)[xi] for the kLanes channels from
// c0, zero past C: w'[k][c] is the 9 taps of w[k][c] as stored, or
// (transposed) of w[c][k] turned, read backwards.
template <class F>
void transform_filters(const float* w, const WinogradShape& s, std::int64_t k, std::int64_t c0, float* out,
                       std::int64_t stride) {
  constexpr std::int64_t kIn = F::kIn;
  alignas(64) float g[3][3][kLanes], rows[3][kIn][kLanes];
  const std::int64_t n = std::min(kLanes, s.C - c0);
  for (std::int64_t l = 0; l < kLanes; ++l) {
    const float* taps = s.transposed ? w + ((c0 + l) * s.K + k) * 9 : w + (k * s.C + c0 + l) * 9;
    for (std::int64_t rq = 0; rq < 9; ++rq) g[rq / 3][rq % 3][l] = l < n ? taps[s.transposed ? 8 - rq : rq] : 0.0f;
  }
  for (std::int64_t r = 0; r < 3; ++r) F::filter_1d(&g[r][0][0], kLanes, &rows[r][0][0], kLanes);
  for (std::int64_t j = 0; j < kIn; ++j) F::filter_1d(&rows[0][j][0], kIn * kLanes, out + j * stride, kIn * stride);
}

// U[xi][k][c] = (G w'[k][c] G^T)[xi], [Blocks.k, Blocks.c] per point, zero
// past K and C: the Eigen path's operand.
template <class F>
void transform_weights(const float* w, const WinogradShape& s, const Blocks& b, float* u, int threads) {
  constexpr std::int64_t kPoints = F::kIn * F::kIn;
  // Rows past K are zero; every other row is written whole below, its lanes
  // past C zero because their taps are (no serial pass over all of U first).
  for (std::int64_t xi = 0; xi < kPoints; ++xi) std::fill(u + (xi * b.k + s.K) * b.c, u + (xi + 1) * b.k * b.c, 0.0f);
#pragma omp parallel for schedule(guided) num_threads(threads) if (threads > 1)
  for (std::int64_t k = 0; k < s.K; ++k)
    for (std::int64_t c0 = 0; c0 < s.C; c0 += kLanes) transform_filters<F>(w, s, k, c0, u + k * b.c + c0, b.c * b.k);
}

// The packed GEMM's B for each point, U[xi]^T (Blocks.c deep, Blocks.k wide),
// written straight into pack_b's layout a kLanes x kLanes block at a time:
// the block's 16 filters transformed, then per point one transpose (16
// filters' channels become 16 channels' filters) stored where pack_b would
// put them; U is never written whole and read back to be packed.
template <class F>
void transform_weights_packed(const float* w, const WinogradShape& s, const Blocks& b, float* u, int threads) {
  constexpr std::int64_t kPoints = F::kIn * F::kIn;
  static_assert(kLanes == 16, "one block of lanes is one transpose");
  const std::int64_t kblocks = b.k / kLanes, cblocks = b.c / kLanes, point_floats = packed_b_size(b.c, b.k);
#pragma omp parallel for collapse(2) schedule(guided) num_threads(threads) if (threads > 1)
  for (std::int64_t kb = 0; kb < kblocks; ++kb)
    for (std::int64_t cb = 0; cb < cblocks; ++cb) {
      alignas(64) float block[kPoints][kLanes][kLanes];  // [xi][filter][channel]
      for (std::int64_t f = 0; f < kLanes; ++f) {
        const std::int64_t k = kb * kLanes + f;
        if (k < s.K) {
          transform_filters<F>(w, s, k, cb * kLanes, &block[0][f][0], kLanes * kLanes);
        } else {
          for (std::int64_t xi = 0; xi < kPoints; ++xi) std::fill(block[xi][f], block[xi][f] + kLanes, 0.0f);
        }
      }
      // B(c, k) for the block's 16 channels (rows of one depth block) and 16 filters (columns of one panel).
      const PackedBPlace at = packed_b_place(b.c, b.k, cb * kLanes, kb * kLanes);
      for (std::int64_t xi = 0; xi < kPoints; ++xi) {
        float* dst = u + xi * point_floats + at.offset;
        if (g_transpose16) {
          transpose16(&block[xi][0][0], kLanes, 16, dst, at.row_stride);
          continue;
        }
        for (std::int64_t c = 0; c < kLanes; ++c)
          for (std::int64_t f = 0; f < kLanes; ++f) dst[c * at.row_stride + f] = block[xi][f][c];
      }
    }
}

// Channels [cb*kLanes, +kLanes) of one image, zero padded, into `dst`
// (hp x wp pixels of kLanes channels each: a tile's row is then contiguous
// vectors). A full block of channels goes 16 pixels at a time through the
// AVX-512 transpose where the CPU has it, and only the padding is zeroed.
void interleave_block(const float* x, const WinogradShape& s, const Tiles& t, std::int64_t image,
                      std::int64_t cb, float* dst) {
  const std::int64_t rows = std::min(s.H, t.hp - s.pad_h), cols = std::min(s.W, t.wp - s.pad_w);
  const std::int64_t lanes = std::min(kLanes, s.C - cb * kLanes);
  const std::int64_t h0 = std::max<std::int64_t>(0, -s.pad_h), w0 = std::max<std::int64_t>(0, -s.pad_w);
  const std::int64_t top = h0 + s.pad_h, bottom = rows + s.pad_h;  // dst rows [top, bottom) hold x
  const std::int64_t left = w0 + s.pad_w, right = cols + s.pad_w;  // and of them, these columns
  const bool full = lanes == kLanes && top < bottom && left < right;
  if (!full) {
    std::fill(dst, dst + t.hp * t.wp * kLanes, 0.0f);
  } else {
    std::fill(dst, dst + top * t.wp * kLanes, 0.0f);
    std::fill(dst + bottom * t.wp * kLanes, dst + t.hp * t.wp * kLanes, 0.0f);
    for (std::int64_t r = top; r < bottom; ++r) {
      std::fill(dst + r * t.wp * kLanes, dst + (r * t.wp + left) * kLanes, 0.0f);
      std::fill(dst + (r * t.wp + right) * kLanes, dst + (r + 1) * t.wp * kLanes, 0.0f);
    }
  }
  const std::int64_t HW = s.H * s.W;
  const float* planes = x + (image * s.C + cb * kLanes) * HW;
  for (std::int64_t ih = h0; ih < rows; ++ih) {
    float* row = dst + ((ih + s.pad_h) * t.wp + s.pad_w) * kLanes;
    std::int64_t iw = w0;
    if (full && g_transpose16)
      for (; iw + 16 <= cols; iw += 16) transpose16(planes + ih * s.W + iw, HW, 16, row + iw * kLanes, kLanes);
    for (; iw < cols; ++iw)
      for (std::int64_t l = 0; l < lanes; ++l) row[iw * kLanes + l] = planes[l * HW + ih * s.W + iw];
  }
}

// V[xi][tile][cb*kLanes + lane] = (B^T d B)[xi] of one tile and channel block,
// d read from the interleaved block (`src` at the tile's corner).
template <class F>
void transform_input_tile(const float* src, std::int64_t wp, float* v, std::int64_t point_stride) {
  constexpr std::int64_t kIn = F::kIn;
  alignas(64) float rows[kIn][kIn][kLanes];
  for (std::int64_t i = 0; i < kIn; ++i) F::input_1d(src + i * wp * kLanes, kLanes, &rows[i][0][0], kLanes);
  // Column j of the transformed rows goes to the points j, kIn+j, 2kIn+j, ...
  for (std::int64_t j = 0; j < kIn; ++j)
    F::input_1d(&rows[0][j][0], kIn * kLanes, v + j * point_stride, kIn * point_stride);
}

// Output channels [k0, k0+lanes) of one tile, from M[xi][tile][k0 + lane], into y.
template <class F>
void transform_output_tile(const float* m, std::int64_t point_stride, float* y, std::int64_t plane,
                           std::int64_t q, std::int64_t rows_in, std::int64_t cols_in, std::int64_t lanes) {
  constexpr std::int64_t kIn = F::kIn, kTile = F::kTile;
  alignas(64) float rows[kIn][kTile][kLanes], out[kTile][kTile][kLanes];
  for (std::int64_t a = 0; a < kIn; ++a) F::output_1d(m + a * kIn * point_stride, point_stride, &rows[a][0][0], kLanes);
  for (std::int64_t j = 0; j < kTile; ++j)
    F::output_1d(&rows[0][j][0], kTile * kLanes, &out[0][j][0], kTile * kLanes);
  for (std::int64_t l = 0; l < lanes; ++l)
    for (std::int64_t i = 0; i < rows_in; ++i)
      for (std::int64_t j = 0; j < cols_in; ++j) y[l * plane + i * q + j] = out[i][j][l];
}

// Where tile `tile` of the batch sits: image, first output row and column.
struct TilePlace {
  std::int64_t image, p0, q0;
};

TilePlace place(const Tiles& t, std::int64_t tile_side, std::int64_t tile) {
  const std::int64_t per_image = t.th * t.tw, in_image = tile % per_image;
  return {tile / per_image, in_image / t.tw * tile_side, in_image % t.tw * tile_side};
}

template <class F>
void run(const float* x, const float* w, const WinogradShape& s, const InferenceBatchNorm* bn, float* y,
         int threads) {
  constexpr std::int64_t kIn = F::kIn, kTile = F::kTile, kPoints = kIn * kIn;
  const Tiles t = tiles_of(s, kTile);
  const Blocks b{round_to_lanes(s.C), round_to_lanes(s.K)};
  const std::int64_t cblocks = b.c / kLanes, kblocks = b.k / kLanes, block_floats = t.hp * t.wp * kLanes;
  const std::int64_t total = s.N * t.th * t.tw;
  // Tiles per chunk: V and M of a chunk within a core's cache, but enough
  // tiles that each pass over U serves many. With Eigen the shape alone
  // decides, so that the bits do not depend on the thread count; the packed
  // GEMM sums each row alike however the rows are grouped, so there the
  // chunks are evened out to a multiple of the threads (with 5 chunks for 2
  // threads, one waited for the other a fifth of the time).
  const std::int64_t per_tile = 4 * kPoints * (b.c + b.k);
  std::int64_t chunk =
      std::min(total, std::max(kMinChunkTiles, std::min(kChunkBytes / per_tile, (total + kChunks - 1) / kChunks)));
  std::int64_t chunks = (total + chunk - 1) / chunk;
  const bool packed = gemm_available();  // else Eigen
  if (packed && chunks > 1) {
    chunks = (chunks + threads - 1) / threads * threads;
    chunk = (total + chunks - 1) / chunks;
    chunks = (total + chunk - 1) / chunk;
  }
  // One block of the calling thread's workspace: U (row-major, or packed for
  // the packed GEMM), the interleaved input, and each thread's V and M.
  const std::int64_t u_floats = kPoints * b.k * b.c, x_floats = cblocks * s.N * block_floats,
                     slice = kPoints * (chunk * (b.c + b.k) + 2 * kPointPad);
  const std::int64_t rest = x_floats + threads * slice;
  const std::int64_t u_block = packed ? kPoints * packed_b_size(b.c, b.k) : u_floats;
  float* u = static_cast<float*>(context().workspace(sizeof(float) * (u_block + rest)));
  float* xb = u + u_block;
  if (packed) {
    // U[xi]^T, the GEMM's B, transformed and packed once per call.
    transform_weights_packed<F>(w, s, b, u, threads);
  } else {
    transform_weights<F>(w, s, b, u, threads);
  }
  const std::int64_t PQ = s.P * s.Q;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
#pragma omp for collapse(2) schedule(dynamic, 1)
    for (std::int64_t cb = 0; cb < cblocks; ++cb)
      for (std::int64_t n = 0; n < s.N; ++n) interleave_block(x, s, t, n, cb, xb + (cb * s.N + n) * block_floats);
    float* v = xb + x_floats + omp_get_thread_num() * slice;
    float* m = v + kPoints * (chunk * b.c + kPointPad);
    // Whichever thread is free takes the next chunk of tiles: a chunk's result
    // does not depend on who computes it, and one core can run slower than the other.
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t ci = 0; ci < chunks; ++ci) {
      const std::int64_t t0 = ci * chunk, nt = std::min(chunk, total - t0);
      const std::int64_t v_point = nt * b.c + kPointPad, m_point = nt * b.k + kPointPad;
      for (std::int64_t cb = 0; cb < cblocks; ++cb)
        for (std::int64_t i = 0; i < nt; ++i) {
          const TilePlace tp = place(t, kTile, t0 + i);
          const float* src = xb + (cb * s.N + tp.image) * block_floats + (tp.p0 * t.wp + tp.q0) * kLanes;
          transform_input_tile<F>(src, t.wp, v + i * b.c + cb * kLanes, v_point);
        }
      for (std::int64_t xi = 0; xi < kPoints; ++xi) {
        // M[xi] (K x tiles) = U[xi] (K x C) V[xi] (C x tiles), V and M stored
        // tile by tile (column-major), so that a tile's channels are side by
        // side for the transforms. The packed GEMM computes M^T = V^T U^T,
        // reading V^T's rows (a tile's channels) in place.
        if (packed) {
          gemm_rows(nt, b.k, b.c, v + xi * v_point, b.c, u + xi * packed_b_size(b.c, b.k), m + xi * m_point, b.k,
                    false);
        } else {
          Eigen::Map<const RowMajor> uxi(u + xi * b.c * b.k, b.k, b.c);
          Eigen::Map<const ColMajor> vxi(v + xi * v_point, b.c, nt);
          Eigen::Map<ColMajor> mxi(m + xi * m_point, b.k, nt);
          mxi.noalias() = uxi * vxi;
        }
      }
      for (std::int64_t kb = 0; kb < kblocks; ++kb) {
        const std::int64_t k0 = kb * kLanes, lanes = std::min(kLanes, s.K - k0);
        for (std::int64_t i = 0; i < nt; ++i) {
          const TilePlace tp = place(t, kTile, t0 + i);
          float* dst = y + (tp.image * s.K + k0) * PQ + tp.p0 * s.Q + tp.q0;
          transform_output_tile<F>(m + i * b.k + k0, m_point, dst, PQ, s.Q, std::min(kTile, s.P - tp.p0),
                                   std::min(kTile, s.Q - tp.q0), lanes);
        }
      }
    }
    if (bn != nullptr) {
#pragma omp for schedule(guided)
      for (std::int64_t row = 0; row < s.N * s.K; ++row) {
        float* out = y + row * PQ;
        const float* residual = bn->residual.defined() ? bn->residual.data<float>() + row * PQ : nullptr;
        batchnorm_act(*bn, row % s.K, PQ, out, residual, out);
      }
    }
  }
}

}  // namespace

int winograd_setting() { return winograd_switch(); }
void set_winograd(int setting) { winograd_switch() = setting; }

int winograd_tile(const WinogradShape& s, bool training) {
  const int setting = winograd_switch();
  if (setting == 0 || s.P < 1 || s.Q < 1 || s.C < kMinChannels || s.K < kMinChannels) return 0;
  const auto pays = [&](std::int64_t tile) {
    const Tiles t = tiles_of(s, tile);
    return tile_use(s, tile) >= kMinTileUse && s.N * t.th * t.tw * kWeightsPerTile >= s.K * s.C;
  };
  if (!training && setting != 2 && pays(4)) return 4;
  if (setting != 4 && pays(2)) return 2;
  return 0;
}

void winograd_forward(const float* x, const float* w, const WinogradShape& s, const InferenceBatchNorm* bn,
                      float* y, int threads) {
  CTC_CHECK(s.tile == 2 || s.tile == 4, "winograd_forward: tile ", s.tile, " (2 or 4)");
  if (s.tile == 4) {
    run<F4>(x, w, s, bn, y, threads);
  } else {
    run<F2>(x, w, s, bn, y, threads);
  }
}

}  // namespace ctcscope::cpu
