// The CPU twin of 2-D convolution: im2col into context workspace, then one
// GEMM per group over a chunk of images whose columns sit side by side (small
// maps make thin per-image GEMMs). f32 on AVX-512 multiplies with the packed
// kernel of kernels/cpu/gemm.h (the weights packed once per call, dy read in
// place for the weight gradient); f64, and f32 elsewhere, with Eigen.
// Depthwise convolutions have their own loops (kernels/cpu/conv_depthwise.cpp),
// and 3x3 stride-1 ones in f32 go through Winograd where it pays
// (kernels/cpu/conv_winograd.cpp): forward and backward data, F(4x4) for
// inference only.
// OpenMP threads take fixed runs of images, or, with fewer images than threads,
// each GEMM is split between them. f32 and f64 share one template; kernels/conv.cpp checks.

// GCC 12's own AVX-512 intrinsics (`__m256d __Y = __Y;`, GCC PR105593) raise
// false -Wmaybe-uninitialized warnings once Eigen's kernels are inlined here.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cstring>
#include <type_traits>
#include <vector>

#include "kernels/channel_scale.h"
#include "kernels/concat.h"
#include "kernels/conv.h"
#include "kernels/cpu/batchnorm_affine.h"
#include "kernels/cpu/channel_planes.h"
#include "kernels/cpu/context.h"
#include "kernels/cpu/conv_depthwise.h"
#include "kernels/cpu/conv_winograd.h"
#include "kernels/cpu/gemm.h"
#include "kernels/pool.h"

namespace ctcscope::cpu {
namespace {

// A chunk's GEMM should have at least this many columns (images x P*Q): the
// width at which Eigen's AVX-512 GEMM kernel runs near full speed (bench_conv).
constexpr std::int64_t kMinGemmColumns = 256;
// Below this many flops a convolution runs on the calling thread alone: a
// parallel region costs microseconds, and on a busy machine a thread spinning
// at its barrier for a descheduled peer costs milliseconds.
constexpr double kMinParallelFlops = 1e6;

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMatrixMap = Eigen::Map<const Matrix<T>>;

// Sizes in cuDNN's letters; Cg, Kg per group; CRS rows of a column matrix.
struct Geometry {
  std::int64_t N, C, H, W, K, R, S, P, Q, G, Cg, Kg, CRS, HW, PQ;
  Conv2dParams p;
  // 1x1, stride 1, no padding: an image's [C,H*W] block already is its column matrix.
  bool pointwise;
  bool depthwise;  // groups == C == K
};

Geometry geometry(const Shape& x, const Shape& w, const Shape& y, const Conv2dParams& p) {
  Geometry g{};
  g.N = x[0], g.C = x[1], g.H = x[2], g.W = x[3];
  g.K = w[0], g.R = w[2], g.S = w[3];
  g.P = y[2], g.Q = y[3];
  g.G = p.groups;
  g.Cg = g.C / g.G, g.Kg = g.K / g.G;
  g.CRS = g.Cg * g.R * g.S;
  g.HW = g.H * g.W, g.PQ = g.P * g.Q;
  g.p = p;
  g.pointwise = g.R == 1 && g.S == 1 && p.stride_h == 1 && p.stride_w == 1 && p.pad_h == 0 &&
                p.pad_w == 0;
  g.depthwise = g.Cg == 1 && g.Kg == 1;
  return g;
}

// How the batch is cut. With `parallel`, the threads share the images (see
// Chunks: a fixed run each where per-thread sums must not depend on timing)
// and Eigen runs single-threaded inside; otherwise (fewer images than threads)
// the calling thread runs them and, with `inner`, Eigen splits each GEMM and
// im2col splits over channels. Images go through in chunks of at most `images`.
struct Plan {
  std::int64_t images;
  int threads;
  bool parallel, inner;
};

Plan plan(const Geometry& g) {
  Plan pl{};
  const double flops = 2.0 * g.N * g.K * g.CRS * g.PQ;
  pl.threads = flops < kMinParallelFlops ? 1 : num_threads();
  pl.parallel = pl.threads > 1 && g.N >= pl.threads;
  pl.inner = pl.threads > 1 && !pl.parallel;
  const std::int64_t per_thread = pl.parallel ? (g.N + pl.threads - 1) / pl.threads : g.N;
  const std::int64_t wanted = (kMinGemmColumns + g.PQ - 1) / g.PQ;
  // The most images up to `wanted` that cut a thread's share into equal
  // chunks: 16 images of 10x10 on 2 threads went in chunks of 3 (3,3,3,3,3,1),
  // so one thread ran 9 images while the other waited after 7.
  pl.images = 1;
  for (std::int64_t d = std::min(per_thread, wanted); d > 1; --d)
    if (per_thread % d == 0) {
      pl.images = d;
      break;
    }
  return pl;
}

std::size_t round_up(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

// Whether T's GEMMs go through the packed kernel (else Eigen): f32, where the
// CPU has one of its vector paths.
template <class T>
bool packed_gemm() {
  return std::is_same_v<T, float> && gemm_available();
}

// Bytes of a packed GEMM operand of rows x depth (A) or depth x columns (B),
// or 0 where Eigen multiplies.
template <class T>
std::size_t packed_a_bytes(std::int64_t rows, std::int64_t depth) {
  return packed_gemm<T>() ? round_up(sizeof(float) * packed_a_size(rows, depth)) : 0;
}
template <class T>
std::size_t packed_b_bytes(std::int64_t depth, std::int64_t cols) {
  return packed_gemm<T>() ? round_up(sizeof(float) * packed_b_size(depth, cols)) : 0;
}

// The calling thread's scratch: `shared` bytes for all threads (packed
// weights), then a plan's threads' `slice` bytes each. Taken before the
// parallel region because the context is per thread.
char* take_scratch(const Plan& pl, std::size_t slice, std::size_t shared = 0) {
  return static_cast<char*>(context().workspace(shared + slice * (pl.parallel ? pl.threads : 1)));
}

// Every group's weights packed as the GEMM's A, each group packed_a_bytes
// apart: W[Kg,CRS] (forward) or, `transposed`, W^T[CRS,Kg] (backward data).
void pack_weights(const float* w, const Geometry& g, bool transposed, int threads, char* dst) {
  const std::size_t group_bytes = transposed ? packed_a_bytes<float>(g.CRS, g.Kg) : packed_a_bytes<float>(g.Kg, g.CRS);
  for (std::int64_t grp = 0; grp < g.G; ++grp) {
    const float* wg = w + grp * g.Kg * g.CRS;
    float* out = reinterpret_cast<float*>(dst + grp * group_bytes);
    if (transposed) {
      pack_a(g.CRS, g.Kg, wg, 1, g.CRS, out, threads);
    } else {
      pack_a(g.Kg, g.CRS, wg, g.CRS, 1, out, threads);
    }
  }
}

// Runs body(n0, nb, slice, first) for the chunks [n0, n0+nb) of a run of
// images; `slice` is the running thread's `slice` bytes of `scratch` and
// `first` is true on its first chunk.
template <class Body>
void for_each_chunk_in(std::int64_t begin, std::int64_t end, const Plan& pl, char* slice,
                       Body& body) {
  for (std::int64_t n0 = begin; n0 < end; n0 += pl.images) {
    body(n0, std::min(pl.images, end - n0), slice, n0 == begin);
  }
}

// Who runs which chunk: each thread its fixed run of images (the plan's
// split), or, where a chunk's result depends on nothing but its images (no
// per-thread sums), whichever thread is free takes the next chunk of
// pl.images from the batch's start: on a shared machine one core can run
// slower than the other (a ResNet50 forward had one thread waiting at the
// barriers for a sixth of its time), and the chunks, so the bits, are the
// same whoever runs them.
enum class Chunks { fixed_runs, any_thread };

// Runs body over every chunk of the batch as the plan says. Returns which
// threads' slices hold results (ran at least one chunk).
template <class Body>
std::vector<char> for_each_chunk(const Geometry& g, const Plan& pl, char* scratch, std::size_t slice, Body body,
                                 Chunks chunks = Chunks::fixed_runs) {
  std::vector<char> used(pl.parallel ? pl.threads : 1, 0);
  if (!pl.parallel) {
    for_each_chunk_in(0, g.N, pl, scratch, body);
    used[0] = g.N > 0;
    return used;
  }
  if (chunks == Chunks::any_thread) {
    const std::int64_t count = (g.N + pl.images - 1) / pl.images;
#pragma omp parallel num_threads(pl.threads)
    {
      const int t = omp_get_thread_num();
      bool first = true;
#pragma omp for schedule(dynamic, 1) nowait
      for (std::int64_t i = 0; i < count; ++i) {
        const std::int64_t n0 = i * pl.images;
        body(n0, std::min(pl.images, g.N - n0), scratch + slice * t, first);
        first = false;
      }
      used[t] = !first;
    }
    return used;
  }
#pragma omp parallel num_threads(pl.threads)
  {
    const std::int64_t t = omp_get_thread_num(), team = omp_get_num_threads();
    const std::int64_t begin = g.N * t / team, end = g.N * (t + 1) / team;
    for_each_chunk_in(begin, end, pl, scratch + slice * t, body);
    used[t] = begin < end;
  }
  return used;
}

// Kernel column s reads input columns w0 + q*stride_w (w0 = s*dil_w - pad_w);
// the outputs q in [lo, hi) read inside the image, the others read padding.
struct ColumnRange {
  std::int64_t w0, lo, hi;
};

ColumnRange column_range(const Geometry& g, std::int64_t s) {
  const std::int64_t sw = g.p.stride_w;
  const std::int64_t w0 = s * g.p.dilation_w - g.p.pad_w;
  const std::int64_t lo = std::min(g.Q, w0 >= 0 ? 0 : (-w0 + sw - 1) / sw);
  const std::int64_t hi = std::max(lo, std::min(g.Q, w0 >= g.W ? 0 : (g.W - w0 + sw - 1) / sw));
  return {w0, lo, hi};
}

// The input row that kernel row r reads for output row op (may be padding).
std::int64_t input_row(const Geometry& g, std::int64_t op, std::int64_t r) {
  return op * g.p.stride_h - g.p.pad_h + r * g.p.dilation_h;
}

// Stride 2 along rows, input rows up to this wide: each row is split once
// into its even and odd columns (both read in one loop body, which GCC
// vectorises with permutes), and every kernel column copies a run of one of
// them; reading every second float directly went two floats at a time
// (vinsertps), 3.7% of ResNet50's inference.
constexpr std::int64_t kMaxSplitRow = 2048;

// im2col_channel for stride_w == 2 (same values): for each kernel row and
// output row, the input row's halves, then a copy per kernel column.
template <class T>
void im2col_channel_stride2(const T* x, const Geometry& g, T* col, std::int64_t ld) {
  T halves[2][kMaxSplitRow / 2];  // [parity][j] = in[2j + parity]
  const std::int64_t pairs = g.W / 2, odd = g.W % 2;
  for (std::int64_t r = 0; r < g.R; ++r) {
    for (std::int64_t op = 0; op < g.P; ++op) {
      const std::int64_t ih = input_row(g, op, r);
      const bool inside = ih >= 0 && ih < g.H;
      if (inside) {
        const T* in = x + ih * g.W;
        for (std::int64_t j = 0; j < pairs; ++j) {
          halves[0][j] = in[2 * j];
          halves[1][j] = in[2 * j + 1];
        }
        if (odd) halves[0][pairs] = in[g.W - 1];
      }
      for (std::int64_t s = 0; s < g.S; ++s) {
        T* out = col + (r * g.S + s) * ld + op * g.Q;
        if (!inside) {
          std::fill(out, out + g.Q, T(0));
          continue;
        }
        const ColumnRange cols = column_range(g, s);
        // in[w0 + 2q] is halves[parity][base + q], parity and base the same for every q.
        const std::int64_t parity = cols.w0 & 1, base = (cols.w0 - parity) / 2;
        std::fill(out, out + cols.lo, T(0));
        if (cols.lo < cols.hi) {  // base + lo >= 0 only then
          const T* from = halves[parity] + (base + cols.lo);
          std::copy(from, from + (cols.hi - cols.lo), out + cols.lo);
        }
        std::fill(out + cols.hi, out + g.Q, T(0));
      }
    }
  }
}

// One column-matrix row (r, s) of im2col_channel where the stride is 1 both
// ways and rows keep their width (Q == W, "same" padding): the output rows
// that read inside the image are one run of the input, so one copy, then the
// few columns that read padding are zeroed (a copy per output row of 37 or 10
// floats spent the weight gradient's im2col on call overhead).
template <class T>
void im2col_row_same_width(const T* x, const Geometry& g, std::int64_t r, std::int64_t s, T* out) {
  const ColumnRange cols = column_range(g, s);
  const std::int64_t shift = r * g.p.dilation_h - g.p.pad_h;  // input row of output row 0
  const std::int64_t begin = std::clamp<std::int64_t>(-shift, 0, g.P);
  const std::int64_t end = std::clamp<std::int64_t>(g.H - shift, begin, g.P);
  std::fill(out, out + begin * g.Q, T(0));
  std::fill(out + end * g.Q, out + g.P * g.Q, T(0));
  if (begin == end) return;
  if (cols.lo < cols.hi) {
    const T* in = x + ((begin + shift) * g.W + cols.w0 + cols.lo);  // w0 + lo >= 0
    std::memcpy(out + begin * g.Q + cols.lo, in, sizeof(T) * ((end - begin - 1) * g.Q + cols.hi - cols.lo));
  }
  for (std::int64_t op = begin; op < end; ++op) {
    T* o = out + op * g.Q;
    std::fill(o, o + std::min(cols.lo, cols.hi), T(0));
    std::fill(o + std::max(cols.lo, cols.hi), o + g.Q, T(0));
  }
}

// Column matrix rows (c,r,s) of one input channel: row (r*S+s) holds, for each
// output (p,q), x[p*stride_h - pad_h + r*dil_h, q*stride_w - pad_w + s*dil_w]
// or 0 outside the image. Rows are `ld` apart.
template <class T>
void im2col_channel(const T* x, const Geometry& g, T* col, std::int64_t ld) {
  const std::int64_t sw = g.p.stride_w;
  if (sw == 2 && g.W <= kMaxSplitRow) return im2col_channel_stride2(x, g, col, ld);
  const bool same_width = sw == 1 && g.p.stride_h == 1 && g.Q == g.W;
  for (std::int64_t r = 0; r < g.R; ++r) {
    for (std::int64_t s = 0; s < g.S; ++s) {
      T* row = col + (r * g.S + s) * ld;
      if (same_width) {
        im2col_row_same_width(x, g, r, s, row);
        continue;
      }
      // Plain variables, not a structured binding: clang 14 cannot capture one in the simd region.
      const ColumnRange cols = column_range(g, s);
      const std::int64_t w0 = cols.w0, lo = cols.lo, hi = cols.hi;
      for (std::int64_t op = 0; op < g.P; ++op) {
        T* out = row + op * g.Q;
        const std::int64_t ih = input_row(g, op, r);
        if (ih < 0 || ih >= g.H) {
          std::fill(out, out + g.Q, T(0));
          continue;
        }
        const T* in = x + ih * g.W;
        std::fill(out, out + lo, T(0));
        if (sw == 1) {
          std::memcpy(out + lo, in + w0 + lo, sizeof(T) * (hi - lo));
        } else {
          for (std::int64_t q = lo; q < hi; ++q) out[q] = in[w0 + q * sw];
        }
        std::fill(out + hi, out + g.Q, T(0));
      }
    }
  }
}

// The adjoint of im2col_channel: dx is assigned the sum of every column entry
// that was read from it.
template <class T>
void col2im_channel(const T* col, std::int64_t ld, const Geometry& g, T* dx) {
  const std::int64_t sw = g.p.stride_w;
  std::fill(dx, dx + g.HW, T(0));
  for (std::int64_t r = 0; r < g.R; ++r) {
    for (std::int64_t s = 0; s < g.S; ++s) {
      const T* row = col + (r * g.S + s) * ld;
      // Plain variables, not a structured binding: clang 14 cannot capture one in the simd region.
      const ColumnRange cols = column_range(g, s);
      const std::int64_t w0 = cols.w0, lo = cols.lo, hi = cols.hi;
      for (std::int64_t op = 0; op < g.P; ++op) {
        const std::int64_t ih = input_row(g, op, r);
        if (ih < 0 || ih >= g.H) continue;
        const T* in = row + op * g.Q;
        T* out = dx + ih * g.W;
        for (std::int64_t q = lo; q < hi; ++q) out[w0 + q * sw] += in[q];
      }
    }
  }
}

// The column matrix [CRS, nb*PQ] of group `grp` for images [n0, n0+nb):
// image i's columns are i*PQ .. i*PQ+PQ-1.
template <class T>
void im2col_chunk(const T* x, const Geometry& g, std::int64_t n0, std::int64_t nb,
                  std::int64_t grp, T* col, bool parallel) {
  const std::int64_t ld = nb * g.PQ;
#pragma omp parallel for collapse(2) schedule(static) if (parallel)
  for (std::int64_t i = 0; i < nb; ++i) {
    for (std::int64_t c = 0; c < g.Cg; ++c) {
      im2col_channel(x + ((n0 + i) * g.C + grp * g.Cg + c) * g.HW, g, col + c * g.R * g.S * ld + i * g.PQ,
                     ld);
    }
  }
}

// Where a pointwise convolution's input comes from when it is not simply x's
// planes, and what happens to each value on its way into the GEMM: channel
// c of image n from one of several pieces (DenseNet's concatenation, never
// built), times a gate (squeeze-excitation's, gate[n*C + c]), or through a
// batch norm and activation (DenseNet's pre-activation, batchnorm_act's
// expressions). The same bits as making that input first.
struct PointwiseSource {
  explicit PointwiseSource(const std::vector<Tensor>& pieces) : x(pieces) {}

  ChannelPlanes<float> x;
  const float* gate = nullptr;                // [N*C], or none
  std::vector<BatchNormConstants<float>> bn;  // [C], or none
  Activation activation = Activation::none;

  // B's row for channel c of image n, columns [j, j + HW).
  void pack_row(const Geometry& g, std::int64_t n, std::int64_t c, std::int64_t cols, std::int64_t j,
                float* pb) const {
    const float* plane = x.plane(n, c);
    if (gate != nullptr) {
      const float s = gate[n * g.C + c];
      return pack_b_row_with(g.CRS, cols, c, j, g.HW, plane, pb, [s](float* to, const float* from, std::int64_t k) {
#pragma omp simd
        for (std::int64_t i = 0; i < k; ++i) to[i] = from[i] * s;
      });
    }
    if (bn.empty()) return pack_b_row(g.CRS, cols, c, j, g.HW, plane, pb);
    const BatchNormConstants<float> k = bn[c];
    with_activation(activation, [&](auto act) {
      pack_b_row_with(g.CRS, cols, c, j, g.HW, plane, pb, [&k](float* to, const float* from, std::int64_t count) {
        batchnorm_act_loop<float, false, decltype(act)::value>(from, count, k.center, k.scale, k.bias, nullptr, to);
      });
    });
  }
};

// The column matrix of im2col_chunk written straight into the packed GEMM's
// B (kernels/cpu/gemm.h): each image's rows of one channel go through `rows`
// (R*S*PQ floats per thread, in cache) instead of a whole [CRS, nb*PQ] matrix
// written to memory and read back to be packed; a pointwise convolution's rows
// are x's planes themselves, or what `source` makes of them.
[[maybe_unused]] void im2col_packed(const float* x, const PointwiseSource* source, const Geometry& g,
                                    std::int64_t n0, std::int64_t nb, std::int64_t grp, float* rows, float* pb,
                                    int threads) {
  const std::int64_t n = nb * g.PQ, RS = g.R * g.S;
  zero_packed_b_padding(g.CRS, n, pb);
#pragma omp parallel for collapse(2) schedule(static) num_threads(threads) if (threads > 1)
  for (std::int64_t i = 0; i < nb; ++i) {
    for (std::int64_t c = 0; c < g.Cg; ++c) {
      if (source != nullptr) {  // pointwise, one group
        source->pack_row(g, n0 + i, c, n, i * g.PQ, pb);
        continue;
      }
      const float* plane = x + ((n0 + i) * g.C + grp * g.Cg + c) * g.HW;
      if (g.pointwise) {
        pack_b_row(g.CRS, n, c, i * g.PQ, g.PQ, plane, pb);
        continue;
      }
      // Not omp_get_thread_num() alone: without a team of its own this runs on one of the chunk loop's threads.
      float* mine = rows + (threads > 1 ? omp_get_thread_num() : 0) * RS * g.PQ;
      im2col_channel(plane, g, mine, g.PQ);
      for (std::int64_t rs = 0; rs < RS; ++rs)
        pack_b_row(g.CRS, n, c * RS + rs, i * g.PQ, g.PQ, mine + rs * g.PQ, pb);
    }
  }
}

template <class T>
void col2im_chunk(const T* col, const Geometry& g, std::int64_t n0, std::int64_t nb,
                  std::int64_t grp, T* dx, bool parallel) {
  const std::int64_t ld = nb * g.PQ;
#pragma omp parallel for collapse(2) schedule(static) if (parallel)
  for (std::int64_t i = 0; i < nb; ++i) {
    for (std::int64_t c = 0; c < g.Cg; ++c) {
      col2im_channel(col + c * g.R * g.S * ld + i * g.PQ, ld, g,
                     dx + ((n0 + i) * g.C + grp * g.Cg + c) * g.HW);
    }
  }
}

// Rows [grp*Kg, grp*Kg+Kg) of images [n0, n0+nb) of a [N,K,P,Q] tensor, as a
// [Kg, nb*PQ] matrix: copied into `tmp` (gather) or out of it (scatter).
template <class T>
void gather_rows(const T* y, const Geometry& g, std::int64_t n0, std::int64_t nb,
                 std::int64_t grp, T* tmp) {
  for (std::int64_t k = 0; k < g.Kg; ++k)
    for (std::int64_t i = 0; i < nb; ++i)
      std::memcpy(tmp + (k * nb + i) * g.PQ, y + ((n0 + i) * g.K + grp * g.Kg + k) * g.PQ,
                  sizeof(T) * g.PQ);
}

template <class T>
void scatter_rows(const T* tmp, const Geometry& g, std::int64_t n0, std::int64_t nb,
                  std::int64_t grp, T* y) {
  for (std::int64_t k = 0; k < g.Kg; ++k)
    for (std::int64_t i = 0; i < nb; ++i)
      std::memcpy(y + ((n0 + i) * g.K + grp * g.Kg + k) * g.PQ, tmp + (k * nb + i) * g.PQ,
                  sizeof(T) * g.PQ);
}

// The Winograd tile (kernels/cpu/conv_winograd.h) for a 3x3, stride 1,
// undilated, ungrouped convolution, or 0 for any other; an inference's
// forward (fast_inference) may take F(4x4), training only F(2x2).
int winograd_tile_for(const Geometry& g, const WinogradShape& s) {
  const bool kind = g.R == 3 && g.S == 3 && g.G == 1 && g.p.stride_h == 1 && g.p.stride_w == 1 &&
                    g.p.dilation_h == 1 && g.p.dilation_w == 1;
  return kind ? winograd_tile(s, !g.p.fast_inference) : 0;
}

WinogradShape winograd_forward_shape(const Geometry& g) {
  return {g.N, g.C, g.H, g.W, g.K, g.P, g.Q, g.p.pad_h, g.p.pad_w};
}

// Backward data as a forward convolution from dy's K channels to dx's C, with
// the taps turned: padding 2 - pad keeps dx's size (pad <= 2).
WinogradShape winograd_backward_data_shape(const Geometry& g) {
  return {g.N, g.K, g.P, g.Q, g.C, g.H, g.W, 2 - g.p.pad_h, 2 - g.p.pad_w, 4, true};
}

DepthwiseShape depthwise_shape(const Geometry& g) {
  return {g.N, g.C, g.H, g.W, g.R, g.S, g.P, g.Q, g.p};
}

// batchnorm_act on images [n0, n0+nb) and channels [k0, k0+kn) of the
// [N,K,P,Q] output y, read from `rows`: rows of channels with the images side
// by side (a chunk's GEMM output), or y itself where nb is 1. Writing to y
// here is the chunk's scatter as well.
template <class T>
void batchnorm_act_chunk(const InferenceBatchNorm& bn, const Geometry& g, std::int64_t n0, std::int64_t nb,
                         std::int64_t k0, std::int64_t kn, const T* rows, T* y) {
  const T* residual = bn.residual.defined() ? bn.residual.data<T>() : nullptr;
  for (std::int64_t k = 0; k < kn; ++k)
    for (std::int64_t i = 0; i < nb; ++i) {
      const std::int64_t at = ((n0 + i) * g.K + k0 + k) * g.PQ;
      batchnorm_act(bn, k0 + k, g.PQ, rows + (k * nb + i) * g.PQ, residual ? residual + at : nullptr, y + at);
    }
}

// y_n[K,PQ] = W[K,CRS] * col_n[CRS,PQ], per group; with `bn`, each chunk's
// output then goes through batchnorm_act_chunk on its way to y, while in cache.
// x is an input of shape `xs`, or with `source` (a pointwise convolution in
// f32 on the packed GEMM only) nullptr: the source says what to read.
template <class T>
void forward(const Shape& xs, const T* x, const Tensor& wt, const Conv2dParams& p, const InferenceBatchNorm* bn,
             Tensor& yt, const PointwiseSource* source = nullptr) {
  const Geometry g = geometry(xs, wt.shape(), yt.shape(), p);
  const Plan pl = plan(g);
  const T* w = wt.data<T>();
  T* y = yt.data<T>();
  if constexpr (std::is_same_v<T, float>) {
    WinogradShape ws = winograd_forward_shape(g);
    ws.tile = winograd_tile_for(g, ws);
    if (ws.tile != 0) return winograd_forward(x, w, ws, bn, y, num_threads());
  }
  if (g.depthwise) {
    // Batch norm without a residual goes into the depthwise blocks (channels-last, in cache).
    const bool bn_in_blocks = bn != nullptr && !bn->residual.defined();
    depthwise_forward(x, w, depthwise_shape(g), bn_in_blocks ? bn : nullptr, y, pl.threads);
    if (bn == nullptr || bn_in_blocks) return;
#pragma omp parallel for schedule(dynamic, 1) num_threads(pl.threads) if (pl.threads > 1)
    for (std::int64_t n = 0; n < g.N; ++n) batchnorm_act_chunk(*bn, g, n, 1, 0, g.K, y + n * g.K * g.PQ, y);
    return;
  }
  const std::int64_t cols = pl.images * g.PQ;
  // The column matrix, or with the packed GEMM only the rows of one channel and image for each
  // thread that fills this slice (several only where they split one chunk).
  const std::int64_t row_buffers = pl.inner ? pl.threads : 1;
  const std::size_t col_bytes =
      round_up(sizeof(T) * (packed_gemm<T>() ? g.R * g.S * g.PQ * row_buffers : g.CRS * cols));
  const std::size_t out_bytes = round_up(sizeof(T) * g.Kg * cols);
  const std::size_t pack_bytes = packed_b_bytes<T>(g.CRS, cols);
  const std::size_t slice = round_up(col_bytes + out_bytes + pack_bytes);
  const std::size_t weight_bytes = g.G * packed_a_bytes<T>(g.Kg, g.CRS);
  char* scratch = take_scratch(pl, slice, weight_bytes);
  if constexpr (std::is_same_v<T, float>)
    if (packed_gemm<T>()) pack_weights(w, g, false, pl.threads, scratch);
  for_each_chunk(g, pl, scratch + weight_bytes, slice,
                 [&](std::int64_t n0, std::int64_t nb, char* slice, bool) {
    T* col = reinterpret_cast<T*>(slice);
    T* out = reinterpret_cast<T*>(slice + col_bytes);
    for (std::int64_t grp = 0; grp < g.G; ++grp) {
      // One image's output goes straight to y; a chunk's to `out`, then scattered.
      T* c = nb == 1 ? y + (n0 * g.K + grp * g.Kg) * g.PQ : out;
      if (packed_gemm<T>()) {
        if constexpr (std::is_same_v<T, float>) {
          float* pb = reinterpret_cast<float*>(slice + col_bytes + out_bytes);
          const int threads = pl.inner ? pl.threads : 1;
          im2col_packed(x, source, g, n0, nb, grp, col, pb, threads);
          const float* pa = reinterpret_cast<const float*>(scratch + grp * packed_a_bytes<T>(g.Kg, g.CRS));
          gemm_packed(g.Kg, nb * g.PQ, g.CRS, pa, pb, c, nb * g.PQ, false, threads);
        }
      } else {
        const T* b = x + (n0 * g.C + grp * g.Cg) * g.HW;
        if (!(g.pointwise && nb == 1)) {
          im2col_chunk(x, g, n0, nb, grp, col, pl.inner);
          b = col;
        }
        ConstMatrixMap<T> wg(w + grp * g.Kg * g.CRS, g.Kg, g.CRS);
        ConstMatrixMap<T> colm(b, g.CRS, nb * g.PQ);
        Eigen::Map<Matrix<T>> cg(c, g.Kg, nb * g.PQ);
        cg.noalias() = wg * colm;
      }
      if (bn != nullptr) {
        batchnorm_act_chunk(*bn, g, n0, nb, grp * g.Kg, g.Kg, c, y);
      } else if (nb > 1) {
        scatter_rows(out, g, n0, nb, grp, y);
      }
    }
  }, Chunks::any_thread);
}

// dx = conv_transpose(dy, w):
//   dcol_n[CRS,PQ] = W[K,CRS]^T * dy_n[K,PQ], per group; dx_n = col2im(dcol_n),
// the adjoint of im2col, so every x element receives the sum of the dcol
// entries that were read from it. dx is assigned.
template <class T>
void backward_data(const Tensor& dyt, const Tensor& wt, const Conv2dParams& p, Tensor& dxt) {
  const Geometry g = geometry(dxt.shape(), wt.shape(), dyt.shape(), p);
  const Plan pl = plan(g);
  const T* dy = dyt.data<T>();
  const T* w = wt.data<T>();
  T* dx = dxt.data<T>();
  if constexpr (std::is_same_v<T, float>) {
    WinogradShape ws = winograd_backward_data_shape(g);
    ws.tile = g.p.pad_h <= 2 && g.p.pad_w <= 2 ? winograd_tile_for(g, ws) : 0;
    if (ws.tile != 0) return winograd_forward(dy, w, ws, nullptr, dx, num_threads());
  }
  if (g.depthwise) return depthwise_backward_data(dy, w, depthwise_shape(g), dx, pl.threads);
  const std::int64_t cols = pl.images * g.PQ;
  const std::size_t col_bytes = round_up(sizeof(T) * g.CRS * cols);
  const std::size_t dy_bytes = round_up(sizeof(T) * g.Kg * cols);
  const std::size_t pack_bytes = packed_b_bytes<T>(g.Kg, cols);
  const std::size_t slice = round_up(col_bytes + dy_bytes + pack_bytes);
  const std::size_t weight_bytes = g.G * packed_a_bytes<T>(g.CRS, g.Kg);
  char* scratch = take_scratch(pl, slice, weight_bytes);
  if constexpr (std::is_same_v<T, float>)
    if (packed_gemm<T>()) pack_weights(w, g, true, pl.threads, scratch);
  for_each_chunk(g, pl, scratch + weight_bytes, slice,
                 [&](std::int64_t n0, std::int64_t nb, char* slice, bool) {
    T* dcol = reinterpret_cast<T*>(slice);
    T* dytmp = reinterpret_cast<T*>(slice + col_bytes);
    for (std::int64_t grp = 0; grp < g.G; ++grp) {
      const T* a = dy + (n0 * g.K + grp * g.Kg) * g.PQ;
      if (nb > 1) {
        gather_rows(dy, g, n0, nb, grp, dytmp);
        a = dytmp;
      }
      // A pointwise image's columns are dx itself; otherwise col2im gathers them.
      const bool direct = g.pointwise && nb == 1;
      T* c = direct ? dx + (n0 * g.C + grp * g.Cg) * g.HW : dcol;
      if (packed_gemm<T>()) {
        if constexpr (std::is_same_v<T, float>) {
          float* pb = reinterpret_cast<float*>(slice + col_bytes + dy_bytes);
          const int threads = pl.inner ? pl.threads : 1;
          pack_b(g.Kg, nb * g.PQ, a, nb * g.PQ, 1, pb, threads);
          const float* pa = reinterpret_cast<const float*>(scratch + grp * packed_a_bytes<T>(g.CRS, g.Kg));
          gemm_packed(g.CRS, nb * g.PQ, g.Kg, pa, pb, c, nb * g.PQ, false, threads);
        }
      } else {
        ConstMatrixMap<T> wg(w + grp * g.Kg * g.CRS, g.Kg, g.CRS);
        ConstMatrixMap<T> dym(a, g.Kg, nb * g.PQ);
        Eigen::Map<Matrix<T>> cg(c, g.CRS, nb * g.PQ);
        cg.noalias() = wg.transpose() * dym;
      }
      if (!direct) col2im_chunk(dcol, g, n0, nb, grp, dx, pl.inner);
    }
  }, Chunks::any_thread);
}

// dW[K,CRS] += sum_n dy_n[K,PQ] * col_n[CRS,PQ]^T, per group. With threads,
// each thread sums its fixed run of images into its own partial dW, and the
// partials are added to dw in thread order: no dependence on scheduling.
template <class T>
void backward_filter(const Tensor& dyt, const Tensor& xt, const Conv2dParams& p, Tensor& dwt) {
  const Geometry g = geometry(xt.shape(), dwt.shape(), dyt.shape(), p);
  const Plan pl = plan(g);
  const T* dy = dyt.data<T>();
  const T* x = xt.data<T>();
  T* dw = dwt.data<T>();
  if (g.depthwise) return depthwise_backward_filter(dy, x, depthwise_shape(g), dw, pl.threads);
  const std::int64_t cols = pl.images * g.PQ;
  const std::size_t col_bytes = round_up(sizeof(T) * g.CRS * cols);
  const std::size_t dy_bytes = round_up(sizeof(T) * g.Kg * cols);
  const std::size_t partial_bytes = pl.parallel ? round_up(sizeof(T) * g.K * g.CRS) : 0;
  const std::size_t pb_bytes = packed_b_bytes<T>(cols, g.CRS);
  const std::size_t slice = round_up(col_bytes + dy_bytes + partial_bytes + pb_bytes);
  char* scratch = take_scratch(pl, slice);
  const std::vector<char> used = for_each_chunk(
      g, pl, scratch, slice, [&](std::int64_t n0, std::int64_t nb, char* slice, bool first) {
    T* col = reinterpret_cast<T*>(slice);
    T* dytmp = reinterpret_cast<T*>(slice + col_bytes);
    T* acc = pl.parallel ? reinterpret_cast<T*>(slice + col_bytes + dy_bytes) : dw;
    for (std::int64_t grp = 0; grp < g.G; ++grp) {
      const T* b = x + (n0 * g.C + grp * g.Cg) * g.HW;
      if (!(g.pointwise && nb == 1)) {
        im2col_chunk(x, g, n0, nb, grp, col, pl.inner);
        b = col;
      }
      const T* a = dy + (n0 * g.K + grp * g.Kg) * g.PQ;
      if (nb > 1) {
        gather_rows(dy, g, n0, nb, grp, dytmp);
        a = dytmp;
      }
      const bool assign = pl.parallel && first;
      if (packed_gemm<T>()) {
        if constexpr (std::is_same_v<T, float>) {
          // dy chunk [Kg, cols] as A, read in place; the column matrix's transpose [cols, CRS] as B.
          float* pb = reinterpret_cast<float*>(slice + col_bytes + dy_bytes + partial_bytes);
          const int threads = pl.inner ? pl.threads : 1;
          const std::int64_t n = nb * g.PQ;
          pack_b(n, g.CRS, b, 1, n, pb, threads);
          gemm_rows(g.Kg, g.CRS, n, a, n, pb, acc + grp * g.Kg * g.CRS, g.CRS, !assign, threads);
        }
      } else {
        ConstMatrixMap<T> colm(b, g.CRS, nb * g.PQ);
        ConstMatrixMap<T> dym(a, g.Kg, nb * g.PQ);
        Eigen::Map<Matrix<T>> dwg(acc + grp * g.Kg * g.CRS, g.Kg, g.CRS);
        if (assign) {
          dwg.noalias() = dym * colm.transpose();
        } else {
          dwg.noalias() += dym * colm.transpose();
        }
      }
    }
  });
  if (!pl.parallel) return;
  const std::int64_t n = g.K * g.CRS;
#pragma omp parallel for schedule(static) num_threads(pl.threads)
  for (std::int64_t e = 0; e < n; ++e) {
    T sum = dw[e];
    for (int t = 0; t < pl.threads; ++t) {
      if (!used[t]) continue;
      sum += reinterpret_cast<const T*>(scratch + slice * t + col_bytes + dy_bytes)[e];
    }
    dw[e] = sum;
  }
}

// Whether a pointwise source can feed this convolution: 1x1 in f32 on the packed GEMM.
bool reads_pointwise_source(const Shape& xs, const Tensor& w, const Conv2dParams& p, const Tensor& y) {
  return y.dtype() == DType::f32 && packed_gemm<float>() && p.groups == 1 &&
         geometry(xs, w.shape(), y.shape(), p).pointwise;
}

// conv2d_forward_expand_depthwise where it is one pass: f32 on the packed
// GEMM, a 1x1 expansion. Each item of work is a chunk of images (the plan's)
// whose planes are packed once as the GEMM's B, then, for each block of 16
// expanded channels, multiplied, put through the expansion's batch norm and
// activation, and handed image by image to the depthwise block (which also
// takes its channels' means), all while in cache. The threads take items as
// they come free; with fewer chunks than threads (one image on two threads)
// an item is one block of a chunk, and each thread packs that chunk's B for
// itself. The weights are packed once, shared. The GEMM, the batch norm and
// the depthwise block are conv2d_forward_bn_act's, on the same operands: the
// same bits.
bool expands_in_one_pass(const Geometry& g) { return g.G == 1 && g.pointwise && packed_gemm<float>(); }

void forward_expand_depthwise(const Geometry& g, const float* x, const float* w_expand,
                              const InferenceBatchNorm& bn_expand, const DepthwiseShape& d,
                              const float* w_depthwise, const InferenceBatchNorm& bn_depthwise, float* y,
                              float* means) {
  constexpr std::int64_t kBlock = 16;  // the depthwise block's channels
  const Plan pl = plan(g);
  const std::int64_t chunks = (g.N + pl.images - 1) / pl.images, blocks = (g.K + kBlock - 1) / kBlock;
  const std::int64_t per_item = chunks >= pl.threads ? blocks : 1;  // blocks
  const std::int64_t items_per_chunk = blocks / per_item, items = chunks * items_per_chunk;
  const std::size_t a_bytes = packed_a_bytes<float>(kBlock, g.C);
  const std::size_t b_bytes = packed_b_bytes<float>(g.C, pl.images * g.HW);
  const std::size_t out_bytes = round_up(sizeof(float) * kBlock * pl.images * g.HW);
  const std::size_t slice = b_bytes + out_bytes + depthwise_block_bytes(d);
  char* scratch = static_cast<char*>(context().workspace(blocks * a_bytes + slice * pl.threads));
  const auto packed_a = [&](std::int64_t b) { return reinterpret_cast<float*>(scratch + b * a_bytes); };
#pragma omp parallel num_threads(pl.threads) if (pl.threads > 1)
  {
#pragma omp for schedule(static)
    for (std::int64_t b = 0; b < blocks; ++b)
      pack_a(std::min(kBlock, g.K - b * kBlock), g.C, w_expand + b * kBlock * g.C, g.C, 1, packed_a(b));
    char* s = scratch + blocks * a_bytes + slice * omp_get_thread_num();
    float* pb = reinterpret_cast<float*>(s);
    float* out = reinterpret_cast<float*>(s + b_bytes);
    char* block_scratch = s + b_bytes + out_bytes;
    std::int64_t packed_chunk = -1;
#pragma omp for schedule(dynamic, 1)
    for (std::int64_t item = 0; item < items; ++item) {
      const std::int64_t chunk = item / items_per_chunk, first = item % items_per_chunk * per_item;
      const std::int64_t n0 = chunk * pl.images, nb = std::min(pl.images, g.N - n0), ld = nb * g.HW;
      if (chunk != packed_chunk) im2col_packed(x, nullptr, g, n0, nb, 0, nullptr, pb, 1);
      packed_chunk = chunk;
      for (std::int64_t b = first; b < first + per_item; ++b) {
        const std::int64_t c0 = b * kBlock, rows = std::min(kBlock, g.K - c0);
        gemm_packed(rows, ld, g.C, packed_a(b), pb, out, ld, false, 1);
        for (std::int64_t k = 0; k < rows; ++k)  // a channel's planes side by side: one loop
          batchnorm_act(bn_expand, c0 + k, ld, out + k * ld, static_cast<const float*>(nullptr), out + k * ld);
        for (std::int64_t i = 0; i < nb; ++i)
          depthwise_forward_block(out + i * g.HW, ld, w_depthwise, d, &bn_depthwise, n0 + i, c0, rows, y, means,
                                  block_scratch);
      }
    }
  }
}

}  // namespace

void conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p, Tensor& y) {
  if (x.dtype() == DType::f64) {
    forward<double>(x.shape(), x.data<double>(), w, p, nullptr, y);
  } else {
    forward<float>(x.shape(), x.data<float>(), w, p, nullptr, y);
  }
}

void conv2d_forward_bn_act(const Tensor& x, const Tensor& w, const Conv2dParams& p,
                           const InferenceBatchNorm& bn, Tensor& y, const Tensor& gate) {
  if (gate.defined() && reads_pointwise_source(x.shape(), w, p, y)) {
    PointwiseSource source({x});
    source.gate = gate.data<float>();
    return forward<float>(x.shape(), nullptr, w, p, &bn, y, &source);
  }
  if (gate.defined()) {  // the product in a pass of its own
    Tensor scaled = Tensor::empty(x.shape(), x.dtype());
    cpu::channel_scale_forward(x, gate, scaled);
    return cpu::conv2d_forward_bn_act(scaled, w, p, bn, y, Tensor());
  }
  if (x.dtype() == DType::f64) {
    forward<double>(x.shape(), x.data<double>(), w, p, &bn, y);
  } else {
    forward<float>(x.shape(), x.data<float>(), w, p, &bn, y);
  }
}

void conv2d_forward_bn_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& input_bn,
                                  const Tensor& w, const Conv2dParams& p, const InferenceBatchNorm& bn, Tensor& y) {
  const Tensor& x0 = pieces.front();
  const Shape xs = concat_channels_shape(pieces);
  const std::int64_t channels = xs[1];
  if (!reads_pointwise_source(xs, w, p, y)) {  // the input made in a pass of its own
    Tensor x = Tensor::empty(xs, x0.dtype());
    cpu::batchnorm2d_forward_infer_act_concat(pieces, input_bn, x);
    return cpu::conv2d_forward_bn_act(x, w, p, bn, y, Tensor());
  }
  PointwiseSource source(pieces);
  for (std::int64_t c = 0; c < channels; ++c) source.bn.push_back(batchnorm_constants<float>(input_bn, c));
  source.activation = input_bn.activation;
  forward<float>(xs, nullptr, w, p, &bn, y, &source);
}

void conv2d_forward_expand_depthwise(const Tensor& x, const Tensor& w_expand, const Conv2dParams& p_expand,
                                     const InferenceBatchNorm& bn_expand, const Tensor& w_depthwise,
                                     const Conv2dParams& p_depthwise, const InferenceBatchNorm& bn_depthwise,
                                     Tensor& y, Tensor& means) {
  const Shape es = conv2d_output_shape(x.shape(), w_expand.shape(), p_expand);
  const Geometry g = geometry(x.shape(), w_expand.shape(), es, p_expand);
  if (x.dtype() == DType::f32 && expands_in_one_pass(g)) {
    const Geometry gd = geometry(es, w_depthwise.shape(), y.shape(), p_depthwise);
    return forward_expand_depthwise(g, x.data<float>(), w_expand.data<float>(), bn_expand, depthwise_shape(gd),
                                    w_depthwise.data<float>(), bn_depthwise, y.data<float>(), means.data<float>());
  }
  Tensor expanded = Tensor::empty(es, x.dtype());  // the two convolutions and the pool one after the other
  cpu::conv2d_forward_bn_act(x, w_expand, p_expand, bn_expand, expanded, Tensor());
  cpu::conv2d_forward_bn_act(expanded, w_depthwise, p_depthwise, bn_depthwise, y, Tensor());
  cpu::global_avgpool_forward(y, means);
}

void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2dParams& p, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    backward_data<double>(dy, w, p, dx);
  } else {
    backward_data<float>(dy, w, p, dx);
  }
}

void conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Conv2dParams& p, Tensor& dw) {
  if (dy.dtype() == DType::f64) {
    backward_filter<double>(dy, x, p, dw);
  } else {
    backward_filter<float>(dy, x, p, dw);
  }
}

}  // namespace ctcscope::cpu
