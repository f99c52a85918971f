// Dropout and stochastic depth on the GPU. The mask is drawn on the host by
// the CPU twin's generator (cpu::dropout_fill_mask) and copied over, so both
// backends drop the same elements for a seed; a thread then scales elements
// i, i + grid, ... (grid-stride). Bytes moved per element: 12 (x, mask, y)
// for dropout, 8 for stochastic depth (its mask is one value per sample).
#include "kernels/cuda/common.h"
#include "kernels/dropout.h"

namespace ctcscope::cuda {

__global__ void dropout_apply_kernel(const float* x, const float* mask, float* y, std::int64_t n) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[i] = x[i] * mask[i];
  }
}

// y[n, ...] = x[n, ...] * mask[n]: rows are contiguous runs of `row` elements.
__global__ void stochastic_depth_apply_kernel(const float* x, const float* mask, float* y, std::int64_t n,
                                              std::int64_t row) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[i] = x[i] * mask[i / row];
  }
}

namespace {

// Draws the mask on the host and copies it into `mask` on the GPU. A copy
// from pageable memory returns once the host buffer has been read, so the
// buffer may go when this returns; the copy is ordered on the op stream.
void upload_mask(double p, const Seed& seed, Tensor& mask) {
  Tensor host = Tensor::empty(mask.shape(), DType::f32, Device::cpu);
  cpu::dropout_fill_mask(p, seed, host);
  CTC_CUDA_CHECK(cudaMemcpyAsync(mask.data<float>(), host.data<float>(),
                                 static_cast<std::size_t>(mask.numel()) * sizeof(float), cudaMemcpyHostToDevice,
                                 device_context().stream()));
}

void apply(const Tensor& x, const Tensor& mask, Tensor& y) {
  const std::int64_t n = x.numel();
  if (n == 0) return;
  dropout_apply_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), mask.data<float>(), y.data<float>(), n);
  CTC_CUDA_CHECK(cudaGetLastError());
}

void apply_rows(const Tensor& x, const Tensor& mask, Tensor& y) {
  const std::int64_t n = x.numel();
  if (n == 0) return;
  stochastic_depth_apply_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      x.data<float>(), mask.data<float>(), y.data<float>(), n, n / x.size(0));
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace

void dropout_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  require_f32(x, "dropout_forward", "x");
  if (x.numel() == 0) return;
  upload_mask(p, seed, mask);
  apply(x, mask, y);
}

void dropout_backward(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  require_f32(dy, "dropout_backward", "dy");
  apply(dy, mask, dx);
}

void stochastic_depth_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  require_f32(x, "stochastic_depth_forward", "x");
  if (x.size(0) == 0) return;
  upload_mask(p, seed, mask);
  apply_rows(x, mask, y);
}

void stochastic_depth_backward(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  require_f32(dy, "stochastic_depth_backward", "dy");
  apply_rows(dy, mask, dx);
}

}  // namespace ctcscope::cuda
