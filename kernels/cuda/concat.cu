// Channel concatenation and its split on the GPU. One launch per piece: a
// thread copies elements i, i + grid, ... of that piece (grid-stride), a block
// is 256 threads. Bytes moved per element: 8 (read one, write one) both ways.
#include "kernels/concat.h"
#include "kernels/cuda/common.h"

namespace ctcscope::cuda {

// Piece element i = (n, c, hw) of a [N, piece_c, plane] piece is element
// (n, offset + c, hw) of the [N, whole_c, plane] whole.
__device__ inline std::int64_t whole_index(std::int64_t i, std::int64_t piece_chw, std::int64_t whole_chw,
                                           std::int64_t offset_chw) {
  const std::int64_t n = i / piece_chw;
  return n * whole_chw + offset_chw + (i - n * piece_chw);
}

__global__ void concat_channels_kernel(const float* x, float* y, std::int64_t n, std::int64_t piece_chw,
                                       std::int64_t whole_chw, std::int64_t offset_chw) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[whole_index(i, piece_chw, whole_chw, offset_chw)] = x[i];
  }
}

__global__ void split_channels_kernel(const float* dy, float* dx, std::int64_t n, std::int64_t piece_chw,
                                      std::int64_t whole_chw, std::int64_t offset_chw) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    dx[i] = dy[whole_index(i, piece_chw, whole_chw, offset_chw)];
  }
}

void concat_channels(const std::vector<Tensor>& inputs, Tensor& y) {
  require_f32(y, "concat_channels", "y");
  const std::int64_t plane = y.size(2) * y.size(3), whole_chw = y.size(1) * plane;
  std::int64_t offset = 0;
  for (const Tensor& x : inputs) {
    const std::int64_t n = x.numel(), piece_chw = x.size(1) * plane;
    if (n > 0) {
      concat_channels_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
          x.data<float>(), y.data<float>(), n, piece_chw, whole_chw, offset * plane);
      CTC_CUDA_CHECK(cudaGetLastError());
    }
    offset += x.size(1);
  }
}

void split_channels(const Tensor& dy, std::vector<Tensor>& dxs) {
  require_f32(dy, "split_channels", "dy");
  const std::int64_t plane = dy.size(2) * dy.size(3), whole_chw = dy.size(1) * plane;
  std::int64_t offset = 0;
  for (Tensor& dx : dxs) {
    const std::int64_t n = dx.numel(), piece_chw = dx.size(1) * plane;
    if (n > 0) {
      split_channels_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
          dy.data<float>(), dx.data<float>(), n, piece_chw, whole_chw, offset * plane);
      CTC_CUDA_CHECK(cudaGetLastError());
    }
    offset += dx.size(1);
  }
}

}  // namespace ctcscope::cuda
