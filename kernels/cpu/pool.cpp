// CPU twin of the pools: one OpenMP task per (n,c) plane, plain window loops.
// Windows are clipped to the input; max pool treats padding as -inf, average
// pool divides by the padded or the clipped window size (count_include_pad).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "kernels/cpu/parallel.h"
#include "kernels/pool.h"

namespace ctcscope::cpu {
namespace {

// The rows (or columns) of input window number `out` along one axis.
struct Span {
  std::int64_t begin, end;         // clipped to [0, size)
  std::int64_t padded_size;        // the window inside [-pad, size + pad)
};

Span window(std::int64_t out, std::int64_t kernel, std::int64_t stride, std::int64_t pad,
            std::int64_t size) {
  const std::int64_t start = out * stride - pad;
  const std::int64_t stop = std::min(start + kernel, size + pad);
  return {std::max<std::int64_t>(start, 0), std::min(stop, size), stop - start};
}

struct Range {
  std::int64_t begin, end;
};

// The outputs q whose window column k, input column q*stride - pad + k,
// lies inside [0, size).
Range valid_outputs(std::int64_t k, std::int64_t stride, std::int64_t pad, std::int64_t size,
                    std::int64_t outputs) {
  const std::int64_t offset = k - pad;
  const std::int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const std::int64_t hi = size - offset <= 0 ? 0 : (size - 1 - offset) / stride + 1;
  return {lo, std::min(hi, outputs)};
}

// One row of the windows of outputs [inner.begin, inner.end) of a 3-wide,
// stride-2 pool (`row` at input column -pad), the three values of each in
// order: in one body GCC loads them with permutes, where a pass per column
// built each vector a float at a time.
template <class T>
void max_of_three_stride2(const T* row, T* best, Range inner) {
#pragma omp simd
  for (std::int64_t ow = inner.begin; ow < inner.end; ++ow) {
    T m = best[ow];
    for (std::int64_t k = 0; k < 3; ++k) {
      const T v = row[2 * ow + k];
      m = v > m || std::isnan(v) ? v : m;
    }
    best[ow] = m;
  }
}

// As PyTorch's CPU kernel: each window is scanned row by row, the first
// maximum wins, and a NaN replaces whatever came before it (so a window with
// NaN yields NaN). A whole row of outputs advances together, one window
// element at a time, in that same order per output: the outputs are
// independent chains (no branch, no serial dependence), which is several
// times faster than finishing one window before starting the next. Without
// kIndices the argmax is not kept, and the loop is a vector select.
template <class T, bool kIndices>
void maxpool_forward_impl(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices) {
  const std::int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const std::int64_t P = y.size(2), Q = y.size(3);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  std::int32_t* pi = kIndices ? indices.data<std::int32_t>() : nullptr;
  const bool parallel = x.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < NC; ++plane) {
    const T* xp = px + plane * H * W;
    for (std::int64_t oh = 0; oh < P; ++oh) {
      const Span hs = window(oh, p.kernel_h, p.stride_h, p.pad_h, H);
      T* best = py + (plane * P + oh) * Q;
      std::int32_t* arg = kIndices ? pi + (plane * P + oh) * Q : nullptr;
      for (std::int64_t ow = 0; ow < Q; ++ow) {
        best[ow] = -std::numeric_limits<T>::infinity();
        if constexpr (kIndices) {
          const Span ws = window(ow, p.kernel_w, p.stride_w, p.pad_w, W);
          arg[ow] = static_cast<std::int32_t>(hs.begin * W + ws.begin);  // kept if all are -inf
        }
      }
      // The stems' 3x3 stride-2 pool without argmax: the outputs whose window
      // rows lie inside the input take their row's three values in one pass.
      const bool stem = !kIndices && p.kernel_w == 3 && p.stride_w == 2;
      const std::int64_t last_in = W - 3 + p.pad_w;  // the last window start inside, times 2
      const Range inner = stem && last_in >= 0 ? Range{(p.pad_w + 1) / 2, std::min(Q, last_in / 2 + 1)} : Range{0, 0};
      for (std::int64_t h = hs.begin; h < hs.end; ++h) {
        if (inner.begin < inner.end) max_of_three_stride2(xp + h * W - p.pad_w, best, inner);
        for (std::int64_t k = 0; k < p.kernel_w; ++k) {
          const Range qs = valid_outputs(k, p.stride_w, p.pad_w, W, Q);
          const std::int64_t offset = h * W + k - p.pad_w;  // flat input index = q*stride + offset
          const std::int64_t stride = p.stride_w;
          for (const Range part : {Range{qs.begin, std::min(qs.end, inner.begin)},
                                   Range{std::max(qs.begin, inner.end), qs.end}}) {
#pragma omp simd
            for (std::int64_t ow = part.begin; ow < part.end; ++ow) {
              const std::int64_t at = ow * stride + offset;
              const T v = xp[at];
              const bool take = v > best[ow] || std::isnan(v);
              best[ow] = take ? v : best[ow];
              if constexpr (kIndices) arg[ow] = take ? static_cast<std::int32_t>(at) : arg[ow];
            }
          }
        }
      }
    }
  }
}

// dx[argmax] += dy for every output; dx is zeroed first. Planes are disjoint,
// so the planes run in parallel and each sums in scan order.
template <class T>
void maxpool_backward_impl(const Tensor& dy, const Tensor& indices, Tensor& dx) {
  const std::int64_t NC = dy.size(0) * dy.size(1), PQ = dy.size(2) * dy.size(3);
  const std::int64_t HW = dx.size(2) * dx.size(3);
  const T* pdy = dy.data<T>();
  const std::int32_t* pi = indices.data<std::int32_t>();
  T* pdx = dx.data<T>();
  std::int64_t bad = 0;
  const bool parallel = dx.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) reduction(+ : bad) if (parallel)
  for (std::int64_t plane = 0; plane < NC; ++plane) {
    T* gx = pdx + plane * HW;
    std::fill(gx, gx + HW, T(0));
    for (std::int64_t i = 0; i < PQ; ++i) {
      const std::int64_t at = pi[plane * PQ + i];
      if (at < 0 || at >= HW) {
        ++bad;
        continue;
      }
      gx[at] += pdy[plane * PQ + i];
    }
  }
  CTC_CHECK(bad == 0, "maxpool2d_backward: ", bad, " indices fall outside the input plane of ",
            dx.shape_str());
}

template <class T>
void avgpool_forward_impl(const Tensor& x, const Pool2dParams& p, Tensor& y) {
  const std::int64_t NC = x.size(0) * x.size(1), H = x.size(2), W = x.size(3);
  const std::int64_t P = y.size(2), Q = y.size(3);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  const bool parallel = x.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < NC; ++plane) {
    const T* xp = px + plane * H * W;
    T* yp = py + plane * P * Q;
    for (std::int64_t oh = 0; oh < P; ++oh) {
      const Span hs = window(oh, p.kernel_h, p.stride_h, p.pad_h, H);
      for (std::int64_t ow = 0; ow < Q; ++ow) {
        const Span ws = window(ow, p.kernel_w, p.stride_w, p.pad_w, W);
        double sum = 0;
        for (std::int64_t h = hs.begin; h < hs.end; ++h) {
          for (std::int64_t w = ws.begin; w < ws.end; ++w) sum += static_cast<double>(xp[h * W + w]);
        }
        const std::int64_t count = p.count_include_pad ? hs.padded_size * ws.padded_size
                                                       : (hs.end - hs.begin) * (ws.end - ws.begin);
        yp[oh * Q + ow] = static_cast<T>(sum / static_cast<double>(count));
      }
    }
  }
}

// dx[window] += dy / count for every output window; dx is zeroed first.
template <class T>
void avgpool_backward_impl(const Tensor& dy, const Pool2dParams& p, Tensor& dx) {
  const std::int64_t NC = dx.size(0) * dx.size(1), H = dx.size(2), W = dx.size(3);
  const std::int64_t P = dy.size(2), Q = dy.size(3);
  const T* pdy = dy.data<T>();
  T* pdx = dx.data<T>();
  const bool parallel = dx.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < NC; ++plane) {
    const T* gy = pdy + plane * P * Q;
    T* gx = pdx + plane * H * W;
    std::fill(gx, gx + H * W, T(0));
    for (std::int64_t oh = 0; oh < P; ++oh) {
      const Span hs = window(oh, p.kernel_h, p.stride_h, p.pad_h, H);
      for (std::int64_t ow = 0; ow < Q; ++ow) {
        const Span ws = window(ow, p.kernel_w, p.stride_w, p.pad_w, W);
        const std::int64_t count = p.count_include_pad ? hs.padded_size * ws.padded_size
                                                       : (hs.end - hs.begin) * (ws.end - ws.begin);
        const T g = static_cast<T>(static_cast<double>(gy[oh * Q + ow]) / static_cast<double>(count));
        for (std::int64_t h = hs.begin; h < hs.end; ++h) {
          for (std::int64_t w = ws.begin; w < ws.end; ++w) gx[h * W + w] += g;
        }
      }
    }
  }
}

template <class T>
void global_avgpool_forward_impl(const Tensor& x, Tensor& y) {
  const std::int64_t NC = x.size(0) * x.size(1), HW = x.size(2) * x.size(3);
  const T* px = x.data<T>();
  T* py = y.data<T>();
  const bool parallel = x.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < NC; ++plane) {
    // 16 partial sums a lane each, then added in order: one chain of dependent
    // double adds (4 cycles each) held this pass to a few elements per microsecond.
    // block_means (kernels/cpu/conv_depthwise.cpp) sums in this same order for
    // an MBConv's fused pool: change both or neither (test_conv_expand_depthwise
    // holds them to the same bits).
    constexpr std::int64_t kLanes = 16;
    const T* xp = px + plane * HW;
    double lanes[kLanes] = {};
    std::int64_t i = 0;
    for (; i + kLanes <= HW; i += kLanes) {
#pragma omp simd
      for (std::int64_t j = 0; j < kLanes; ++j) lanes[j] += static_cast<double>(xp[i + j]);
    }
    for (std::int64_t j = 0; i + j < HW; ++j) lanes[j] += static_cast<double>(xp[i + j]);
    double sum = 0;
    for (std::int64_t j = 0; j < kLanes; ++j) sum += lanes[j];
    py[plane] = static_cast<T>(sum / static_cast<double>(HW));
  }
}

template <class T>
void global_avgpool_backward_impl(const Tensor& dy, Tensor& dx) {
  const std::int64_t NC = dx.size(0) * dx.size(1), HW = dx.size(2) * dx.size(3);
  const T* pdy = dy.data<T>();
  T* pdx = dx.data<T>();
  const bool parallel = dx.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < NC; ++plane) {
    const T g = static_cast<T>(static_cast<double>(pdy[plane]) / static_cast<double>(HW));
    std::fill(pdx + plane * HW, pdx + (plane + 1) * HW, g);
  }
}

}  // namespace

void maxpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices) {
  if (x.dtype() == DType::f64) {
    indices.defined() ? maxpool_forward_impl<double, true>(x, p, y, indices)
                      : maxpool_forward_impl<double, false>(x, p, y, indices);
  } else {
    indices.defined() ? maxpool_forward_impl<float, true>(x, p, y, indices)
                      : maxpool_forward_impl<float, false>(x, p, y, indices);
  }
}

void maxpool2d_backward(const Tensor& dy, const Tensor& indices, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    maxpool_backward_impl<double>(dy, indices, dx);
  } else {
    maxpool_backward_impl<float>(dy, indices, dx);
  }
}

void avgpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y) {
  if (x.dtype() == DType::f64) {
    avgpool_forward_impl<double>(x, p, y);
  } else {
    avgpool_forward_impl<float>(x, p, y);
  }
}

void avgpool2d_backward(const Tensor& dy, const Pool2dParams& p, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    avgpool_backward_impl<double>(dy, p, dx);
  } else {
    avgpool_backward_impl<float>(dy, p, dx);
  }
}

void global_avgpool_forward(const Tensor& x, Tensor& y) {
  if (x.dtype() == DType::f64) {
    global_avgpool_forward_impl<double>(x, y);
  } else {
    global_avgpool_forward_impl<float>(x, y);
  }
}

void global_avgpool_backward(const Tensor& dy, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    global_avgpool_backward_impl<double>(dy, dx);
  } else {
    global_avgpool_backward_impl<float>(dy, dx);
  }
}

}  // namespace ctcscope::cpu
