// ReLU, SiLU and sigmoid on the GPU. A thread handles elements i, i + grid, ...
// of the flat tensor (grid-stride); a block is 256 threads. Bytes moved per
// element: forward 8 (read x, write y), backward 12 (read dy and y or x, write dx).
#include "kernels/activation.h"
#include "kernels/cuda/common.h"

namespace ctcscope::cuda {

// x < 0 ? 0 : x keeps NaN as NaN, as the CPU twin and torch.relu.
__global__ void relu_forward_kernel(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const float v = x[i];
    y[i] = v < 0.0f ? 0.0f : v;
  }
}

__global__ void relu_backward_kernel(const float* dy, const float* y, float* dx, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const float g = dy[i];
    dx[i] = y[i] > 0.0f ? g : 0.0f;
  }
}

// The CPU twin's sigmoid: the branch keeps exp from overflowing for large |x|.
__device__ inline float sigmoid_of(float x) {
  if (x >= 0.0f) return 1.0f / (1.0f + expf(-x));
  const float e = expf(x);
  return e / (1.0f + e);
}

__global__ void silu_forward_kernel(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const float v = x[i];
    y[i] = v * sigmoid_of(v);
  }
}

// d/dx [x s(x)] = s (1 + x (1 - s)), as the CPU twin and torch's silu_backward.
__global__ void silu_backward_kernel(const float* dy, const float* x, float* dx, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const float v = x[i];
    const float s = sigmoid_of(v);
    dx[i] = dy[i] * s * (1.0f + v * (1.0f - s));
  }
}

__global__ void sigmoid_forward_kernel(const float* x, float* y, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[i] = sigmoid_of(x[i]);
  }
}

// d/dx s(x) = s (1 - s), from the output.
__global__ void sigmoid_backward_kernel(const float* dy, const float* y, float* dx, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const float v = y[i];
    dx[i] = dy[i] * v * (1.0f - v);
  }
}

void relu_forward(const Tensor& x, Tensor& y) {
  require_f32(x, "relu_forward", "x");
  const std::int64_t n = x.numel();
  if (n == 0) return;
  relu_forward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), y.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx) {
  require_f32(dy, "relu_backward", "dy");
  const std::int64_t n = dy.numel();
  if (n == 0) return;
  relu_backward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      dy.data<float>(), y.data<float>(), dx.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void silu_forward(const Tensor& x, Tensor& y) {
  require_f32(x, "silu_forward", "x");
  const std::int64_t n = x.numel();
  if (n == 0) return;
  silu_forward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), y.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx) {
  require_f32(dy, "silu_backward", "dy");
  const std::int64_t n = dy.numel();
  if (n == 0) return;
  silu_backward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      dy.data<float>(), x.data<float>(), dx.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void sigmoid_forward(const Tensor& x, Tensor& y) {
  require_f32(x, "sigmoid_forward", "x");
  const std::int64_t n = x.numel();
  if (n == 0) return;
  sigmoid_forward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), y.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void sigmoid_backward(const Tensor& dy, const Tensor& y, Tensor& dx) {
  require_f32(dy, "sigmoid_backward", "dy");
  const std::int64_t n = dy.numel();
  if (n == 0) return;
  sigmoid_backward_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      dy.data<float>(), y.data<float>(), dx.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace ctcscope::cuda
