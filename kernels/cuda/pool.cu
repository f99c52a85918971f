// Pools on the GPU, each kernel the CPU twin's loop for one output (or input)
// element, so results match the twin bit for bit and no atomics are used.
// max/avg forward: a thread per output, scanning its window row by row; avg
// and max backward: a thread per input element, gathering the windows that
// hold it in output order, the order of the twin's scatter (so the same
// float additions, deterministic, no atomics on floats).
// Bytes moved per output: max fwd ~4*window+8, avg fwd ~4*window+4; per input
// element: avg bwd ~4*overlap+4, max bwd ~8*overlap+4; global: 4 in, 4 out.
// Global average forward is a block per plane with a fixed-order tree sum in
// double: the same float as the twin's ordered double sum (exact in double for
// planes of ordinary values).
#include <cmath>

#include "kernels/cuda/common.h"
#include "kernels/pool.h"

namespace ctcscope::cuda {
namespace {

struct PoolGeom {
  std::int64_t nc, h, w, p, q;
  std::int64_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
  bool count_include_pad;
};

PoolGeom geom(const Shape& x, const Shape& y, const Pool2dParams& p) {
  return PoolGeom{x[0] * x[1], x[2],        x[3],       y[2],    y[3],
                  p.kernel_h,  p.kernel_w,  p.stride_h, p.stride_w, p.pad_h,
                  p.pad_w,     p.count_include_pad};
}

struct Span {
  std::int64_t begin, end, padded_size;
};

// The twin's window(): rows of input window `out`, clipped to [0, size).
__device__ Span window(std::int64_t out, std::int64_t kernel, std::int64_t stride,
                       std::int64_t pad, std::int64_t size) {
  const std::int64_t start = out * stride - pad;
  const std::int64_t stop = min(start + kernel, size + pad);
  return Span{max(start, std::int64_t{0}), min(stop, size), stop - start};
}

__device__ std::int64_t window_count(const Span& hs, const Span& ws, bool include_pad) {
  return include_pad ? hs.padded_size * ws.padded_size
                     : (hs.end - hs.begin) * (ws.end - ws.begin);
}

}  // namespace

// First maximum in row-major scan order wins; a NaN replaces what came before.
// indices nullptr: not written.
__global__ void maxpool2d_forward_kernel(const float* x, float* y, std::int32_t* indices,
                                         PoolGeom g) {
  const std::int64_t total = g.nc * g.p * g.q;
  for (std::int64_t o = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; o < total;
       o += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t ow = o % g.q, oh = (o / g.q) % g.p, plane = o / (g.p * g.q);
    const float* xp = x + plane * g.h * g.w;
    const Span hs = window(oh, g.kernel_h, g.stride_h, g.pad_h, g.h);
    const Span ws = window(ow, g.kernel_w, g.stride_w, g.pad_w, g.w);
    float best = -INFINITY;
    std::int32_t arg = static_cast<std::int32_t>(hs.begin * g.w + ws.begin);
    for (std::int64_t h = hs.begin; h < hs.end; ++h) {
      for (std::int64_t w = ws.begin; w < ws.end; ++w) {
        const float v = xp[h * g.w + w];
        if (v > best || isnan(v)) {
          best = v;
          arg = static_cast<std::int32_t>(h * g.w + w);
        }
      }
    }
    y[o] = best;
    if (indices != nullptr) indices[o] = arg;
  }
}

// The outputs whose windows hold input row (or column) `i`:
// o*stride - pad <= i < o*stride - pad + kernel, clipped to [0, outputs).
struct OutRange {
  std::int64_t lo, hi;  // inclusive; empty when lo > hi
};
__device__ OutRange outputs_holding(std::int64_t i, std::int64_t kernel, std::int64_t stride,
                                    std::int64_t pad, std::int64_t outputs) {
  const std::int64_t lo = i + pad - kernel < 0 ? 0 : (i + pad - kernel) / stride + 1;
  return OutRange{lo, min((i + pad) / stride, outputs - 1)};
}

// dx[h,w] = sum of dy over the outputs whose argmax is (h,w), in output order.
__global__ void maxpool2d_backward_kernel(const float* dy, const std::int32_t* indices, float* dx,
                                          PoolGeom g) {
  const std::int64_t total = g.nc * g.h * g.w;
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < total;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t w = i % g.w, h = (i / g.w) % g.h, plane = i / (g.h * g.w);
    const std::int64_t at = h * g.w + w, first = plane * g.p * g.q;
    const OutRange rows = outputs_holding(h, g.kernel_h, g.stride_h, g.pad_h, g.p);
    const OutRange cols = outputs_holding(w, g.kernel_w, g.stride_w, g.pad_w, g.q);
    float acc = 0.0f;
    for (std::int64_t oh = rows.lo; oh <= rows.hi; ++oh) {
      for (std::int64_t ow = cols.lo; ow <= cols.hi; ++ow) {
        const std::int64_t o = first + oh * g.q + ow;
        if (indices[o] == at) acc += dy[o];
      }
    }
    dx[i] = acc;
  }
}

// An output whose index is outside its own window would be dropped by the
// gather above (the twin would scatter it): flagged, read at the next loss.
__global__ void maxpool2d_check_indices_kernel(const std::int32_t* indices, PoolGeom g,
                                               unsigned* errors) {
  const std::int64_t total = g.nc * g.p * g.q;
  for (std::int64_t o = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; o < total;
       o += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t ow = o % g.q, oh = (o / g.q) % g.p;
    const Span hs = window(oh, g.kernel_h, g.stride_h, g.pad_h, g.h);
    const Span ws = window(ow, g.kernel_w, g.stride_w, g.pad_w, g.w);
    const std::int64_t at = indices[o], h = at / g.w, w = at % g.w;
    if (at < 0 || h < hs.begin || h >= hs.end || w < ws.begin || w >= ws.end) {
      atomicOr(errors, kMaxPoolIndexOutsideWindow);  // a flag: order does not matter
    }
  }
}

// Window sum in double, divided by the twin's count.
__global__ void avgpool2d_forward_kernel(const float* x, float* y, PoolGeom g) {
  const std::int64_t total = g.nc * g.p * g.q;
  for (std::int64_t o = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; o < total;
       o += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t ow = o % g.q, oh = (o / g.q) % g.p, plane = o / (g.p * g.q);
    const float* xp = x + plane * g.h * g.w;
    const Span hs = window(oh, g.kernel_h, g.stride_h, g.pad_h, g.h);
    const Span ws = window(ow, g.kernel_w, g.stride_w, g.pad_w, g.w);
    double sum = 0;
    for (std::int64_t h = hs.begin; h < hs.end; ++h) {
      for (std::int64_t w = ws.begin; w < ws.end; ++w) sum += static_cast<double>(xp[h * g.w + w]);
    }
    y[o] = static_cast<float>(sum / static_cast<double>(window_count(hs, ws, g.count_include_pad)));
  }
}

// dx[h,w] = sum over the windows holding (h,w), in (oh,ow) order, of dy/count:
// the same additions in the same order as the twin's scatter.
__global__ void avgpool2d_backward_kernel(const float* dy, float* dx, PoolGeom g) {
  const std::int64_t total = g.nc * g.h * g.w;
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < total;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t w = i % g.w, h = (i / g.w) % g.h, plane = i / (g.h * g.w);
    const float* gy = dy + plane * g.p * g.q;
    const OutRange rows = outputs_holding(h, g.kernel_h, g.stride_h, g.pad_h, g.p);
    const OutRange cols = outputs_holding(w, g.kernel_w, g.stride_w, g.pad_w, g.q);
    float acc = 0.0f;
    for (std::int64_t oh = rows.lo; oh <= rows.hi; ++oh) {
      const Span hs = window(oh, g.kernel_h, g.stride_h, g.pad_h, g.h);
      for (std::int64_t ow = cols.lo; ow <= cols.hi; ++ow) {
        const Span ws = window(ow, g.kernel_w, g.stride_w, g.pad_w, g.w);
        const double count = static_cast<double>(window_count(hs, ws, g.count_include_pad));
        acc += static_cast<float>(static_cast<double>(gy[oh * g.q + ow]) / count);
      }
    }
    dx[i] = acc;
  }
}

// One block per (n, c) plane: thread t sums elements t, t + 256, ... in
// double, then a shared-memory tree halves the partial sums in a fixed order
// (deterministic; coalesced reads, where a thread per plane read 32 planes
// per warp and left the GPU idle on EfficientNet's squeeze-excitations).
__global__ void global_avgpool_forward_kernel(const float* x, float* y, std::int64_t hw) {
  __shared__ double partial[kThreads];
  const float* xp = x + blockIdx.x * hw;
  double acc = 0.0;
  for (std::int64_t k = threadIdx.x; k < hw; k += kThreads) acc += static_cast<double>(xp[k]);
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) y[blockIdx.x] = static_cast<float>(partial[0] / static_cast<double>(hw));
}

__global__ void global_avgpool_backward_kernel(const float* dy, float* dx, std::int64_t nc,
                                               std::int64_t hw) {
  const std::int64_t total = nc * hw;
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < total;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    dx[i] = static_cast<float>(static_cast<double>(dy[i / hw]) / static_cast<double>(hw));
  }
}

void maxpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices) {
  require_f32(x, "maxpool2d_forward", "x");
  const PoolGeom g = geom(x.shape(), y.shape(), p);
  const std::int64_t n = y.numel();
  if (n == 0) return;
  maxpool2d_forward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), y.data<float>(), indices.defined() ? indices.data<std::int32_t>() : nullptr, g);
  CTC_CUDA_CHECK(cudaGetLastError());
}

// No host wait: a bad index is flagged on the device (DeviceState::errors).
void maxpool2d_backward(const Tensor& dy, const Tensor& indices, const Pool2dParams& p, Tensor& dx) {
  require_f32(dy, "maxpool2d_backward", "dy");
  const std::int64_t n = dx.numel();
  if (n == 0) return;
  DeviceContext& ctx = device_context();
  const PoolGeom g = geom(dx.shape(), dy.shape(), p);
  if (dy.numel() > 0) {
    maxpool2d_check_indices_kernel<<<blocks_for(dy.numel()), kThreads, 0, ctx.stream()>>>(
        indices.data<std::int32_t>(), g, &ctx.state()->errors);
    CTC_CUDA_CHECK(cudaGetLastError());
  }
  maxpool2d_backward_kernel<<<blocks_for(n), kThreads, 0, ctx.stream()>>>(
      dy.data<float>(), indices.data<std::int32_t>(), dx.data<float>(), g);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void avgpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y) {
  require_f32(x, "avgpool2d_forward", "x");
  const std::int64_t n = y.numel();
  if (n == 0) return;
  avgpool2d_forward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), y.data<float>(), geom(x.shape(), y.shape(), p));
  CTC_CUDA_CHECK(cudaGetLastError());
}

void avgpool2d_backward(const Tensor& dy, const Pool2dParams& p, Tensor& dx) {
  require_f32(dy, "avgpool2d_backward", "dy");
  const std::int64_t n = dx.numel();
  if (n == 0) return;
  avgpool2d_backward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      dy.data<float>(), dx.data<float>(), geom(dx.shape(), dy.shape(), p));
  CTC_CUDA_CHECK(cudaGetLastError());
}

void global_avgpool_forward(const Tensor& x, Tensor& y) {
  require_f32(x, "global_avgpool_forward", "x");
  const std::int64_t nc = x.size(0) * x.size(1);
  if (nc == 0) return;
  global_avgpool_forward_kernel<<<static_cast<unsigned>(nc), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), y.data<float>(), x.size(2) * x.size(3));
  CTC_CUDA_CHECK(cudaGetLastError());
}

void global_avgpool_backward(const Tensor& dy, Tensor& dx) {
  require_f32(dy, "global_avgpool_backward", "dy");
  const std::int64_t n = dx.numel();
  if (n == 0) return;
  global_avgpool_backward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      dy.data<float>(), dx.data<float>(), dx.size(0) * dx.size(1), dx.size(2) * dx.size(3));
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace ctcscope::cuda
