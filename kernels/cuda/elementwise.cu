// Elementwise add on the GPU. A thread handles elements i, i + grid, ...
// (grid-stride); a block is 256 threads. Bytes moved per element: 12 (two
// reads, one write) for add and add_inplace alike.
#include "kernels/cuda/common.h"
#include "kernels/elementwise.h"

namespace ctcscope::cuda {

__global__ void add_kernel(const float* a, const float* b, float* y, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[i] = a[i] + b[i];
  }
}

void add(const Tensor& a, const Tensor& b, Tensor& y) {
  require_f32(a, "add", "a");
  const std::int64_t n = a.numel();
  if (n == 0) return;
  add_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      a.data<float>(), b.data<float>(), y.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

// y += x is add(y, x) into y: each element is read before it is written.
void add_inplace(const Tensor& x, Tensor& y) {
  require_f32(x, "add_inplace", "x");
  const std::int64_t n = x.numel();
  if (n == 0) return;
  add_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      y.data<float>(), x.data<float>(), y.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace ctcscope::cuda
