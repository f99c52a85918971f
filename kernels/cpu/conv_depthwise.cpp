// Depthwise convolution, channels-last in blocks: the kLanes channels of a
// block of one image are copied, zero-padded, into [Hp][Wp][kLanes] scratch,
// so each filter tap is one vector multiply-add across the block's channels,
// with no bounds checks and no short rows; results go back to NCHW. (Looping
// over each channel's plane spends EfficientNet's 10x10 and 5x5 maps on loop
// overhead: rows of 5 or 10.)
#include "kernels/cpu/conv_depthwise.h"

#include <omp.h>

#include <algorithm>
#include <type_traits>

#include "base/error.h"
#include "kernels/cpu/batchnorm_affine.h"
#include "kernels/cpu/context.h"
#include "kernels/cpu/transpose.h"

namespace ctcscope::cpu {
namespace {

// One 64-byte cache line of channels per pixel: 16 floats or 8 doubles.
template <class T>
constexpr std::int64_t kLanes = 64 / sizeof(T);

// The padded input a block holds: every row and column some output reads.
struct Padded {
  std::int64_t Hp, Wp;
};

Padded padded(const DepthwiseShape& d) {
  return {(d.P - 1) * d.p.stride_h + (d.R - 1) * d.p.dilation_h + 1,
          (d.Q - 1) * d.p.stride_w + (d.S - 1) * d.p.dilation_w + 1};
}

std::size_t round_up(std::size_t bytes) { return (bytes + 63) / 64 * 64; }

// The CPU has AVX-512: full float blocks change layout 16 x 16 through registers.
const bool g_transpose16 = transpose16_available();

// The layout change, lanes innermost so each pixel is one vector across the
// channels' planes (`plane` elements apart): out[i][l] = in[l][i] and back,
// for i in [0, count). Full float blocks go 16 pixels at a time through
// transpose16 where the CPU has AVX-512, a run that is not a multiple of 16
// ending with a block that overlaps the one before (the pixels in both are
// written twice, the same values); the rest, a pixel at a time (a gather or
// scatter). (Plane by plane, scalar stores 64 bytes apart would cost more
// than a 3x3 convolution's arithmetic.)
template <class T>
bool transposes16(std::int64_t count, std::int64_t lanes) {
  return std::is_same_v<T, float> && g_transpose16 && lanes == kLanes<T> && count >= 16;
}

template <class T>
void to_lanes(const T* in, std::int64_t plane, std::int64_t count, std::int64_t lanes, T* out) {
  constexpr std::int64_t L = kLanes<T>;
  if constexpr (std::is_same_v<T, float>) {
    if (transposes16<T>(count, lanes)) {
      for (std::int64_t i = 0; i < count; i += 16) {
        const std::int64_t at = std::min(i, count - 16);
        transpose16(in + at, plane, 16, out + at * L, L);
      }
      return;
    }
  }
  for (std::int64_t i = 0; i < count; ++i) {
    if (lanes == L) {
#pragma omp simd
      for (std::int64_t l = 0; l < L; ++l) out[i * L + l] = in[l * plane + i];
    } else {
      for (std::int64_t l = 0; l < lanes; ++l) out[i * L + l] = in[l * plane + i];
    }
  }
}

template <class T>
void from_lanes(const T* in, std::int64_t count, std::int64_t lanes, std::int64_t plane, T* out) {
  constexpr std::int64_t L = kLanes<T>;
  if constexpr (std::is_same_v<T, float>) {
    if (transposes16<T>(count, lanes)) {
      for (std::int64_t i = 0; i < count; i += 16) {
        const std::int64_t at = std::min(i, count - 16);
        transpose16(in + at * L, L, 16, out + at, plane);
      }
      return;
    }
  }
  for (std::int64_t i = 0; i < count; ++i) {
    if (lanes == L) {
#pragma omp simd
      for (std::int64_t l = 0; l < L; ++l) out[l * plane + i] = in[i * L + l];
    } else {
      for (std::int64_t l = 0; l < lanes; ++l) out[l * plane + i] = in[i * L + l];
    }
  }
}

// A block of `lanes` channels' H x W planes (`plane` elements apart from
// `block`: channels [c0, c0+lanes) of an image): into xb[Hp][Wp][kLanes],
// padding and unused lanes zero. Only the padding is cleared (74x74 maps: the
// whole block written twice cost more than the transposes). Rows narrower
// than a transpose block go through `staging` (stage_floats<T>(d) floats):
// the block's planes are contiguous, so their pixels change layout 16 at a
// time whatever the row length, then rows are copied into place.
template <class T>
std::int64_t stage_floats(const DepthwiseShape& d) {
  return d.W < 16 && transposes16<T>(d.H * d.W, kLanes<T>) ? d.H * d.W * kLanes<T> : 0;
}

template <class T>
void pack_input(const T* block, std::int64_t plane, const DepthwiseShape& d, const Padded& pd, std::int64_t lanes,
                T* xb, T* staging) {
  constexpr std::int64_t L = kLanes<T>;
  const std::int64_t h_end = std::max<std::int64_t>(0, std::min(d.H, pd.Hp - d.p.pad_h));
  const std::int64_t w_end = std::max<std::int64_t>(0, std::min(d.W, pd.Wp - d.p.pad_w));
  const std::int64_t top = std::min(d.p.pad_h, pd.Hp), left = std::min(d.p.pad_w, pd.Wp);
  const std::int64_t row = pd.Wp * L;
  const bool staged = stage_floats<T>(d) > 0 && lanes == L;
  if (staged) to_lanes(block, plane, d.H * d.W, lanes, staging);
  std::fill(xb, xb + top * row, T(0));
  for (std::int64_t ih = 0; ih < h_end; ++ih) {
    T* out = xb + (ih + top) * row;
    std::fill(out, out + left * L, T(0));
    T* interior = out + left * L;
    if (lanes < L) std::fill(interior, interior + w_end * L, T(0));
    if (staged) {
      std::copy(staging + ih * d.W * L, staging + (ih * d.W + w_end) * L, interior);
    } else {
      to_lanes(block + ih * d.W, plane, w_end, lanes, interior);
    }
    std::fill(interior + w_end * L, out + row, T(0));
  }
  std::fill(xb + (h_end + top) * row, xb + pd.Hp * row, T(0));
}

// Channels [c0, c0+lanes) of image n of dy [N,C,P,Q] into dyb[P*Q][kLanes],
// unused lanes zero.
template <class T>
void pack_dy(const T* dy, const DepthwiseShape& d, std::int64_t n, std::int64_t c0, std::int64_t lanes,
             T* dyb) {
  constexpr std::int64_t L = kLanes<T>;
  const std::int64_t PQ = d.P * d.Q;
  if (lanes < L) std::fill(dyb, dyb + PQ * L, T(0));
  to_lanes(dy + (n * d.C + c0) * PQ, PQ, PQ, lanes, dyb);
}

// The block's filters as wb[R*S][kLanes], unused lanes zero.
template <class T>
void pack_filter(const T* w, const DepthwiseShape& d, std::int64_t c0, std::int64_t lanes, T* wb) {
  constexpr std::int64_t L = kLanes<T>;
  const std::int64_t RS = d.R * d.S;
  std::fill(wb, wb + RS * L, T(0));
  for (std::int64_t l = 0; l < lanes; ++l)
    for (std::int64_t i = 0; i < RS; ++i) wb[i * L + l] = w[(c0 + l) * RS + i];
}

// Runs body(n, c0, lanes, scratch) for every (image, channel block), spread
// over `threads`, each taking the next block when it is free (a block's
// result does not depend on who computes it; on a shared machine one core
// can run slower than the other); scratch is the running thread's `slice` bytes.
template <class T, class Body>
void for_each_block(const DepthwiseShape& d, int threads, std::size_t slice, Body body) {
  const std::int64_t blocks = (d.C + kLanes<T> - 1) / kLanes<T>;
  char* scratch = static_cast<char*>(context().workspace(slice * threads));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
  for (std::int64_t item = 0; item < d.N * blocks; ++item) {
    const std::int64_t n = item / blocks, c0 = (item % blocks) * kLanes<T>;
    body(n, c0, std::min(kLanes<T>, d.C - c0), scratch + slice * omp_get_thread_num());
  }
}

// One block's outputs: yb[op][oq] = sum over r, s (in that order, from zero)
// of wb[r][s] * xb[op*sh + r*dh][oq*sw + s*dw], a vector of channels each.
// With kSize and kStride given (EfficientNet's 3x3 and 5x5, stride 1 and 2,
// no dilation) they are constants to the compiler, which unrolls the taps and
// folds their offsets: the general loop spent most of its time on index
// arithmetic. 0: taken from the shape at run time.
template <class T, int kSize = 0, int kStride = 0>
void forward_block(const T* xb, const T* wb, const DepthwiseShape& d, const Padded& pd, T* yb) {
  constexpr std::int64_t L = kLanes<T>;
  const std::int64_t R = kSize ? kSize : d.R, S = kSize ? kSize : d.S;
  const std::int64_t sh = kStride ? kStride : d.p.stride_h, sw = kStride ? kStride : d.p.stride_w;
  const std::int64_t dh = kSize ? 1 : d.p.dilation_h, dw = kSize ? 1 : d.p.dilation_w;
  for (std::int64_t op = 0; op < d.P; ++op) {
    for (std::int64_t oq = 0; oq < d.Q; ++oq) {
      T acc[L] = {};  // a local array: no store aliases it, so it stays in registers
#pragma GCC unroll 5
      for (std::int64_t r = 0; r < R; ++r) {
#pragma GCC unroll 5
        for (std::int64_t s_ = 0; s_ < S; ++s_) {
          const T* in = xb + ((op * sh + r * dh) * pd.Wp + oq * sw + s_ * dw) * L;
          const T* tap = wb + (r * S + s_) * L;
#pragma omp simd
          for (std::int64_t l = 0; l < L; ++l) acc[l] += tap[l] * in[l];
        }
      }
      std::copy(acc, acc + L, yb + (op * d.Q + oq) * L);
    }
  }
}

template <class T>
void forward_block_any(const T* xb, const T* wb, const DepthwiseShape& d, const Padded& pd, T* yb) {
  const Conv2dParams& p = d.p;
  const bool plain = p.dilation_h == 1 && p.dilation_w == 1 && p.stride_h == p.stride_w && d.R == d.S;
  const std::int64_t key = plain ? d.R * 10 + p.stride_h : 0;
  switch (key) {
    case 31: return forward_block<T, 3, 1>(xb, wb, d, pd, yb);
    case 32: return forward_block<T, 3, 2>(xb, wb, d, pd, yb);
    case 51: return forward_block<T, 5, 1>(xb, wb, d, pd, yb);
    case 52: return forward_block<T, 5, 2>(xb, wb, d, pd, yb);
    default: return forward_block(xb, wb, d, pd, yb);
  }
}

// depthwise_forward's scratch per thread: the padded input block, the
// filters, the output block and the staging rows.
template <class T>
struct BlockScratch {
  std::size_t xb, wb, yb, stage;

  explicit BlockScratch(const DepthwiseShape& d) {
    const Padded pd = padded(d);
    xb = round_up(sizeof(T) * pd.Hp * pd.Wp * kLanes<T>);
    wb = round_up(sizeof(T) * d.R * d.S * kLanes<T>);
    yb = round_up(sizeof(T) * d.P * d.Q * kLanes<T>);
    stage = round_up(sizeof(T) * stage_floats<T>(d));
  }
  std::size_t bytes() const { return xb + wb + yb + stage; }
};

// One block into y; returns the block's output, [P*Q][kLanes] in scratch.
template <class T>
const T* forward_one_block(const T* planes, std::int64_t plane, const T* w, const DepthwiseShape& d,
                           const InferenceBatchNorm* bn, std::int64_t n, std::int64_t c0, std::int64_t lanes, T* y,
                           char* s) {
  constexpr std::int64_t L = kLanes<T>;
  const Padded pd = padded(d);
  const BlockScratch<T> b(d);
  T* xb = reinterpret_cast<T*>(s);
  T* wb = reinterpret_cast<T*>(s + b.xb);
  T* yb = reinterpret_cast<T*>(s + b.xb + b.wb);
  pack_input(planes, plane, d, pd, lanes, xb, reinterpret_cast<T*>(s + b.xb + b.wb + b.yb));
  pack_filter(w, d, c0, lanes, wb);
  forward_block_any(xb, wb, d, pd, yb);
  if (bn != nullptr) batchnorm_act_lanes<T, L>(*bn, c0, lanes, d.P * d.Q, yb);
  from_lanes(yb, d.P * d.Q, lanes, d.P * d.Q, y + (n * d.C + c0) * d.P * d.Q);
  return yb;
}

// The means of a finished block's channels, summed as global_avgpool_forward
// sums a plane (kernels/cpu/pool.cpp): in double, pixel i into partial sum
// i % 16, the 16 partial sums then added in order. yb: [count][16].
void block_means(const float* yb, std::int64_t count, std::int64_t lanes, float* means) {
  constexpr std::int64_t L = 16;
  double partial[L][L] = {};  // [pixel % 16][channel]
  for (std::int64_t i = 0; i < count; ++i) {
#pragma omp simd
    for (std::int64_t l = 0; l < L; ++l) partial[i % L][l] += static_cast<double>(yb[i * L + l]);
  }
  for (std::int64_t l = 0; l < lanes; ++l) {
    double sum = 0;
    for (std::int64_t j = 0; j < L; ++j) sum += partial[j][l];
    means[l] = static_cast<float>(sum / static_cast<double>(count));
  }
}

}  // namespace

template <class T>
void depthwise_forward(const T* x, const T* w, const DepthwiseShape& d, const InferenceBatchNorm* bn, T* y,
                       int threads) {
  CTC_CHECK(bn == nullptr || !bn->residual.defined(), "depthwise_forward: a residual is not fused here");
  const std::int64_t HW = d.H * d.W;
  for_each_block<T>(d, threads, BlockScratch<T>(d).bytes(),
                    [&](std::int64_t n, std::int64_t c0, std::int64_t lanes, char* s) {
    forward_one_block(x + (n * d.C + c0) * HW, HW, w, d, bn, n, c0, lanes, y, s);
  });
}

std::size_t depthwise_block_bytes(const DepthwiseShape& d) { return BlockScratch<float>(d).bytes(); }

void depthwise_forward_block(const float* planes, std::int64_t plane_stride, const float* w,
                             const DepthwiseShape& d, const InferenceBatchNorm* bn, std::int64_t n, std::int64_t c0,
                             std::int64_t lanes, float* y, float* means, char* scratch) {
  CTC_CHECK(bn == nullptr || !bn->residual.defined(), "depthwise_forward_block: a residual is not fused here");
  const float* yb = forward_one_block(planes, plane_stride, w, d, bn, n, c0, lanes, y, scratch);
  if (means != nullptr) block_means(yb, d.P * d.Q, lanes, means + n * d.C + c0);
}

// dxb[p*sh + r*dh][q*sw + s*dw] += w[r,s] * dy[p,q] over the padded block,
// then the image's part of dxb is dx; rows and columns no output reads get 0.
template <class T>
void depthwise_backward_data(const T* dy, const T* w, const DepthwiseShape& d, T* dx, int threads) {
  constexpr std::int64_t L = kLanes<T>;
  const Padded pd = padded(d);
  const std::int64_t sh = d.p.stride_h, sw = d.p.stride_w, dh = d.p.dilation_h, dw = d.p.dilation_w;
  const std::size_t dxb_bytes = round_up(sizeof(T) * pd.Hp * pd.Wp * L);
  const std::size_t dyb_bytes = round_up(sizeof(T) * d.P * d.Q * L);
  const std::size_t slice = dxb_bytes + dyb_bytes + round_up(sizeof(T) * d.R * d.S * L);
  for_each_block<T>(d, threads, slice, [&](std::int64_t n, std::int64_t c0, std::int64_t lanes, char* s) {
    T* dxb = reinterpret_cast<T*>(s);
    T* dyb = reinterpret_cast<T*>(s + dxb_bytes);
    T* wb = reinterpret_cast<T*>(s + dxb_bytes + dyb_bytes);
    pack_dy(dy, d, n, c0, lanes, dyb);
    pack_filter(w, d, c0, lanes, wb);
    std::fill(dxb, dxb + pd.Hp * pd.Wp * L, T(0));
    for (std::int64_t op = 0; op < d.P; ++op) {
      for (std::int64_t oq = 0; oq < d.Q; ++oq) {
        const T* g = dyb + (op * d.Q + oq) * L;
        for (std::int64_t r = 0; r < d.R; ++r) {
          for (std::int64_t s_ = 0; s_ < d.S; ++s_) {
            T* out = dxb + ((op * sh + r * dh) * pd.Wp + oq * sw + s_ * dw) * L;
            const T* tap = wb + (r * d.S + s_) * L;
#pragma omp simd
            for (std::int64_t l = 0; l < L; ++l) out[l] += tap[l] * g[l];
          }
        }
      }
    }
    const std::int64_t HW = d.H * d.W;
    T* block = dx + (n * d.C + c0) * HW;
    const std::int64_t h_end = std::min(d.H, pd.Hp - d.p.pad_h);
    const std::int64_t w_end = std::max<std::int64_t>(0, std::min(d.W, pd.Wp - d.p.pad_w));
    for (std::int64_t ih = 0; ih < d.H; ++ih) {
      std::int64_t w_read = 0;  // the columns some output read; the rest are 0
      if (ih < h_end) {
        from_lanes(dxb + ((ih + d.p.pad_h) * pd.Wp + d.p.pad_w) * L, w_end, lanes, HW, block + ih * d.W);
        w_read = w_end;
      }
      for (std::int64_t l = 0; l < lanes; ++l) {
        std::fill(block + l * HW + ih * d.W + w_read, block + l * HW + (ih + 1) * d.W, T(0));
      }
    }
  });
}

// One thread owns each channel block and runs its images in order, so the
// sums do not depend on the thread count, nor on which thread takes the block.
template <class T>
void depthwise_backward_filter(const T* dy, const T* x, const DepthwiseShape& d, T* dw, int threads) {
  constexpr std::int64_t L = kLanes<T>;
  const Padded pd = padded(d);
  const std::int64_t sh = d.p.stride_h, sw = d.p.stride_w, dh = d.p.dilation_h, dil_w = d.p.dilation_w;
  const std::int64_t RS = d.R * d.S;
  const std::size_t xb_bytes = round_up(sizeof(T) * pd.Hp * pd.Wp * L);
  const std::size_t dyb_bytes = round_up(sizeof(T) * d.P * d.Q * L);
  const std::size_t dwb_bytes = round_up(sizeof(T) * RS * L);
  const std::size_t slice = xb_bytes + dyb_bytes + dwb_bytes + round_up(sizeof(T) * stage_floats<T>(d));
  const std::int64_t blocks = (d.C + L - 1) / L;
  char* scratch = static_cast<char*>(context().workspace(slice * threads));
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads) if (threads > 1)
  for (std::int64_t b = 0; b < blocks; ++b) {
    char* s = scratch + slice * omp_get_thread_num();
    T* xb = reinterpret_cast<T*>(s);
    T* dyb = reinterpret_cast<T*>(s + xb_bytes);
    T* dwb = reinterpret_cast<T*>(s + xb_bytes + dyb_bytes);
    const std::int64_t c0 = b * L, lanes = std::min(L, d.C - c0);
    std::fill(dwb, dwb + RS * L, T(0));
    for (std::int64_t n = 0; n < d.N; ++n) {
      pack_input(x + (n * d.C + c0) * d.H * d.W, d.H * d.W, d, pd, lanes, xb,
                 reinterpret_cast<T*>(s + xb_bytes + dyb_bytes + dwb_bytes));
      pack_dy(dy, d, n, c0, lanes, dyb);
      for (std::int64_t r = 0; r < d.R; ++r) {
        for (std::int64_t s_ = 0; s_ < d.S; ++s_) {
          T acc[L];  // in registers for the whole sum (dwb would be reloaded)
          std::copy(dwb + (r * d.S + s_) * L, dwb + (r * d.S + s_ + 1) * L, acc);
          for (std::int64_t op = 0; op < d.P; ++op) {
            for (std::int64_t oq = 0; oq < d.Q; ++oq) {
              const T* in = xb + ((op * sh + r * dh) * pd.Wp + oq * sw + s_ * dil_w) * L;
              const T* g = dyb + (op * d.Q + oq) * L;
#pragma omp simd
              for (std::int64_t l = 0; l < L; ++l) acc[l] += g[l] * in[l];
            }
          }
          std::copy(acc, acc + L, dwb + (r * d.S + s_) * L);
        }
      }
    }
    for (std::int64_t l = 0; l < lanes; ++l)
      for (std::int64_t i = 0; i < RS; ++i) dw[(c0 + l) * RS + i] += dwb[i * L + l];
  }
}

template void depthwise_forward<float>(const float*, const float*, const DepthwiseShape&, const InferenceBatchNorm*,
                                       float*, int);
template void depthwise_forward<double>(const double*, const double*, const DepthwiseShape&,
                                        const InferenceBatchNorm*, double*, int);
template void depthwise_backward_data<float>(const float*, const float*, const DepthwiseShape&, float*, int);
template void depthwise_backward_data<double>(const double*, const double*, const DepthwiseShape&, double*,
                                              int);
template void depthwise_backward_filter<float>(const float*, const float*, const DepthwiseShape&, float*, int);
template void depthwise_backward_filter<double>(const double*, const double*, const DepthwiseShape&, double*,
                                                int);

}  // namespace ctcscope::cpu
