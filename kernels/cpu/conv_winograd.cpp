// Winograd F(4x4, 3x3), as kernels/cpu/conv_winograd.h says. With B, G, A
// the transforms of Lavin and Gray (interpolation points 0, +-1, +-2, inf):
//   U = G w G^T (6x6 per output and input channel, once per call),
//   V = B^T d B (6x6 per input tile and channel),
//   M[xi] = U[xi] * V[xi] for each of the 36 points xi (a GEMM [K,C]x[C,tiles]),
//   y tile = A^T M A (4x4 per output channel and tile).
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

#include "kernels/cpu/batchnorm_affine.h"
#include "kernels/cpu/context.h"

namespace ctcscope::cpu {
namespace {

constexpr std::int64_t kTile = 4;     // outputs per tile side
constexpr std::int64_t kIn = 6;       // inputs per tile side: kTile + 3 - 1
constexpr std::int64_t kPoints = 36;  // kIn * kIn: one GEMM each
constexpr std::int64_t kLanes = 16;   // tiles or channels per pass: one AVX-512 vector of f32
// V and M of one chunk together: about a core's own cache (1 MiB of L2 on
// these Zen 5 cores), and the fewest tiles a chunk's GEMMs take.
constexpr std::int64_t kChunkBytes = 1024 * 1024;
constexpr std::int64_t kMinChunkTiles = 32;
// At least this many chunks where the tiles allow, so that threads, which
// take whole chunks, end nearly together.
constexpr std::int64_t kChunks = 8;
// Where Winograd pays (winograd_pays): the share of its tiles' outputs inside
// the map, and the fewest channels in and out.
constexpr double kMinTileUse = 0.5;
constexpr std::int64_t kMinChannels = 16;

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ColMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;

bool& winograd_switch() {
  static bool on = [] {
    const char* v = std::getenv("CTC_WINOGRAD");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return on;
}

// out[i*os] = (B^T in)[i] on kLanes lanes; in[j*is] are the six inputs.
inline void input_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
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

// out[i*os] = (A^T in)[i], i < 4, from six inputs.
inline void output_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
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

// out[i*os] = (G in)[i], i < 6, from three taps.
inline void filter_1d(const float* in, std::int64_t is, float* out, std::int64_t os) {
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

struct Tiles {
  std::int64_t th, tw;  // tiles per column and row of an image
  std::int64_t hp, wp;  // the padded image the tiles read: kTile*th + 2 by kTile*tw + 2
};

Tiles tiles_of(const WinogradShape& s) {
  Tiles t{};
  t.th = (s.P + kTile - 1) / kTile, t.tw = (s.Q + kTile - 1) / kTile;
  t.hp = kTile * t.th + 2, t.wp = kTile * t.tw + 2;
  return t;
}

std::int64_t round_to_lanes(std::int64_t n) { return (n + kLanes - 1) / kLanes * kLanes; }

// Channel counts rounded up to whole blocks of kLanes; the extra channels are zeros.
struct Blocks {
  std::int64_t c, k;
};

// U[xi][k][c] = (G w[k][c] G^T)[xi], [Blocks.k, Blocks.c] per point, zero
// past K and C. kLanes input channels at once.
void transform_weights(const float* w, const WinogradShape& s, const Blocks& b, float* u, int threads) {
  const std::int64_t per_point = b.c * b.k;
  std::fill(u, u + kPoints * per_point, 0.0f);
#pragma omp parallel for schedule(static) num_threads(threads) if (threads > 1)
  for (std::int64_t k = 0; k < s.K; ++k) {
    alignas(64) float g[3][3][kLanes], rows[3][kIn][kLanes], out[kIn][kIn][kLanes];
    for (std::int64_t c0 = 0; c0 < s.C; c0 += kLanes) {
      const std::int64_t n = std::min(kLanes, s.C - c0);
      for (std::int64_t r = 0; r < 3; ++r)
        for (std::int64_t q = 0; q < 3; ++q)
          for (std::int64_t l = 0; l < kLanes; ++l) {
            const std::int64_t c = c0 + l;
            g[r][q][l] = l < n ? w[((k * s.C + c) * 3 + r) * 3 + q] : 0.0f;
          }
      for (std::int64_t r = 0; r < 3; ++r) filter_1d(&g[r][0][0], kLanes, &rows[r][0][0], kLanes);
      for (std::int64_t j = 0; j < kIn; ++j) filter_1d(&rows[0][j][0], kIn * kLanes, &out[0][j][0], kIn * kLanes);
      for (std::int64_t xi = 0; xi < kPoints; ++xi)
        std::memcpy(u + xi * per_point + k * b.c + c0, out[xi / kIn][xi % kIn], sizeof(float) * n);
    }
  }
}

// Channels [cb*kLanes, +kLanes) of image n0+i, zero padded, into `dst`
// (hp x wp pixels of kLanes channels each: a tile's row is then contiguous vectors).
void interleave_block(const float* x, const WinogradShape& s, const Tiles& t, std::int64_t image,
                      std::int64_t cb, float* dst) {
  std::fill(dst, dst + t.hp * t.wp * kLanes, 0.0f);
  const std::int64_t rows = std::min(s.H, t.hp - s.pad_h), cols = std::min(s.W, t.wp - s.pad_w);
  const std::int64_t lanes = std::min(kLanes, s.C - cb * kLanes);
  for (std::int64_t l = 0; l < lanes; ++l) {
    const float* src = x + (image * s.C + cb * kLanes + l) * s.H * s.W;
    for (std::int64_t ih = std::max<std::int64_t>(0, -s.pad_h); ih < rows; ++ih) {
      float* row = dst + ((ih + s.pad_h) * t.wp + s.pad_w) * kLanes + l;
      for (std::int64_t iw = std::max<std::int64_t>(0, -s.pad_w); iw < cols; ++iw) row[iw * kLanes] = src[ih * s.W + iw];
    }
  }
}

// V[xi][tile][cb*kLanes + lane] = (B^T d B)[xi] of one tile and channel block,
// d read from the interleaved block (`src` at the tile's corner).
void transform_input_tile(const float* src, std::int64_t wp, float* v, std::int64_t point_stride) {
  alignas(64) float rows[kIn][kIn][kLanes];
  for (std::int64_t i = 0; i < kIn; ++i) input_1d(src + i * wp * kLanes, kLanes, &rows[i][0][0], kLanes);
  // Column j of the transformed rows goes to the points j, 6+j, ..., 30+j.
  for (std::int64_t j = 0; j < kIn; ++j) input_1d(&rows[0][j][0], kIn * kLanes, v + j * point_stride, kIn * point_stride);
}

// Output channels [k0, k0+lanes) of one tile, from M[xi][tile][k0 + lane], into y.
void transform_output_tile(const float* m, std::int64_t point_stride, float* y, std::int64_t plane,
                           std::int64_t q, std::int64_t rows_in, std::int64_t cols_in, std::int64_t lanes) {
  alignas(64) float rows[kIn][kTile][kLanes], out[kTile][kTile][kLanes];
  for (std::int64_t a = 0; a < kIn; ++a) output_1d(m + a * kIn * point_stride, point_stride, &rows[a][0][0], kLanes);
  for (std::int64_t j = 0; j < kTile; ++j) output_1d(&rows[0][j][0], kTile * kLanes, &out[0][j][0], kTile * kLanes);
  for (std::int64_t l = 0; l < lanes; ++l)
    for (std::int64_t i = 0; i < rows_in; ++i)
      for (std::int64_t j = 0; j < cols_in; ++j) y[l * plane + i * q + j] = out[i][j][l];
}

// Where tile `tile` of a chunk sits: image, first output row and column.
struct TilePlace {
  std::int64_t image, p0, q0;
};

TilePlace place(const Tiles& t, std::int64_t tile) {
  const std::int64_t per_image = t.th * t.tw, in_image = tile % per_image;
  return {tile / per_image, in_image / t.tw * kTile, in_image % t.tw * kTile};
}

}  // namespace

bool winograd_enabled() { return winograd_switch(); }
void set_winograd(bool on) { winograd_switch() = on; }

bool winograd_pays(const WinogradShape& s) {
  if (!winograd_switch() || s.P < 1 || s.Q < 1) return false;
  // Measured with bench_conv (bench/RESULTS.md): at 5x5 (tiles 39% used) it
  // took twice the direct sum's time; at 9x9 (56%) it was 10% faster. Few
  // channels leave the transforms with too little GEMM to pay for.
  const Tiles t = tiles_of(s);
  const double used = static_cast<double>(s.P * s.Q) / (kTile * kTile * t.th * t.tw);
  return used >= kMinTileUse && s.C >= kMinChannels && s.K >= kMinChannels;
}

void winograd_forward(const float* x, const float* w, const WinogradShape& s, const InferenceBatchNorm* bn,
                      float* y, int threads) {
  const Tiles t = tiles_of(s);
  const Blocks b{round_to_lanes(s.C), round_to_lanes(s.K)};
  const std::int64_t cblocks = b.c / kLanes, kblocks = b.k / kLanes, block_floats = t.hp * t.wp * kLanes;
  const std::int64_t total = s.N * t.th * t.tw;
  // Tiles per chunk, from the shape alone (so the bits do not depend on the
  // thread count): V and M of a chunk within a core's cache, but enough tiles
  // that the GEMM's packing of U is shared by many.
  const std::int64_t per_tile = 4 * kPoints * (b.c + b.k);
  const std::int64_t chunk =
      std::min(total, std::max(kMinChunkTiles, std::min(kChunkBytes / per_tile, (total + kChunks - 1) / kChunks)));
  const std::int64_t chunks = (total + chunk - 1) / chunk;
  // One block of the calling thread's workspace: U, the interleaved input,
  // and each thread's V and M.
  const std::int64_t u_floats = kPoints * b.k * b.c, x_floats = cblocks * s.N * block_floats,
                     slice = kPoints * chunk * (b.c + b.k);
  float* u = static_cast<float*>(context().workspace(sizeof(float) * (u_floats + x_floats + threads * slice)));
  float* xb = u + u_floats;
  transform_weights(w, s, b, u, threads);
  const std::int64_t PQ = s.P * s.Q;
#pragma omp parallel num_threads(threads) if (threads > 1)
  {
#pragma omp for collapse(2) schedule(static)
    for (std::int64_t cb = 0; cb < cblocks; ++cb)
      for (std::int64_t n = 0; n < s.N; ++n) interleave_block(x, s, t, n, cb, xb + (cb * s.N + n) * block_floats);
    float* v = xb + x_floats + omp_get_thread_num() * slice;
    float* m = v + kPoints * chunk * b.c;
#pragma omp for schedule(static)
    for (std::int64_t ci = 0; ci < chunks; ++ci) {
      const std::int64_t t0 = ci * chunk, nt = std::min(chunk, total - t0);
      const std::int64_t v_point = nt * b.c, m_point = nt * b.k;
      for (std::int64_t cb = 0; cb < cblocks; ++cb)
        for (std::int64_t i = 0; i < nt; ++i) {
          const TilePlace tp = place(t, t0 + i);
          const float* src = xb + (cb * s.N + tp.image) * block_floats + (tp.p0 * t.wp + tp.q0) * kLanes;
          transform_input_tile(src, t.wp, v + i * b.c + cb * kLanes, v_point);
        }
      for (std::int64_t xi = 0; xi < kPoints; ++xi) {
        // M[xi] (K x tiles) = U[xi] (K x C) V[xi] (C x tiles), V and M stored
        // tile by tile (column-major): the long side, tiles, is the GEMM's columns.
        Eigen::Map<const RowMajor> uxi(u + xi * b.c * b.k, b.k, b.c);
        Eigen::Map<const ColMajor> vxi(v + xi * v_point, b.c, nt);
        Eigen::Map<ColMajor> mxi(m + xi * m_point, b.k, nt);
        mxi.noalias() = uxi * vxi;
      }
      for (std::int64_t kb = 0; kb < kblocks; ++kb) {
        const std::int64_t k0 = kb * kLanes, lanes = std::min(kLanes, s.K - k0);
        for (std::int64_t i = 0; i < nt; ++i) {
          const TilePlace tp = place(t, t0 + i);
          float* dst = y + (tp.image * s.K + k0) * PQ + tp.p0 * s.Q + tp.q0;
          transform_output_tile(m + i * b.k + k0, m_point, dst, PQ, s.Q, std::min(kTile, s.P - tp.p0),
                                std::min(kTile, s.Q - tp.q0), lanes);
        }
      }
    }
    if (bn != nullptr) {
#pragma omp for schedule(static)
      for (std::int64_t row = 0; row < s.N * s.K; ++row) {
        float* out = y + row * PQ;
        const float* residual = bn->residual.defined() ? bn->residual.data<float>() + row * PQ : nullptr;
        batchnorm_act(*bn, row % s.K, PQ, out, residual, out);
      }
    }
  }
}

}  // namespace ctcscope::cpu
