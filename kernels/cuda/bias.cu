// Per-channel convolution bias on the GPU. Add: a thread adds b[c] to elements
// i, i + grid, ... (grid-stride). Gradient: one block of 256 threads per
// channel sums dy over N, H, W in a fixed order (deterministic, no atomics).
// Bytes moved per element: add 8 (read and write y), gradient 4 (read dy).
#include "kernels/bias.h"
#include "kernels/cuda/common.h"

namespace ctcscope::cuda {

__global__ void bias_add_channels_kernel(const float* b, float* y, std::int64_t n, std::int64_t channels,
                                         std::int64_t plane) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[i] += b[(i / plane) % channels];
  }
}

// db[c] += sum_{n,hw} dy[n,c,hw], in double as the CPU twin: thread t sums
// flat items t, t + 256, ... of the channel's N * plane, then a shared-memory
// tree halves the partial sums in a fixed order.
__global__ void bias_backward_channels_kernel(const float* dy, float* db, std::int64_t batch,
                                              std::int64_t channels, std::int64_t plane) {
  __shared__ double partial[kThreads];
  const std::int64_t c = blockIdx.x, items = batch * plane;
  double acc = 0.0;
  for (std::int64_t k = threadIdx.x; k < items; k += kThreads) {
    const std::int64_t n = k / plane;
    acc += double(dy[(n * channels + c) * plane + (k - n * plane)]);
  }
  partial[threadIdx.x] = acc;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) db[c] += float(partial[0]);
}

void bias_add_channels(const Tensor& b, Tensor& y) {
  require_f32(y, "bias_add_channels", "y");
  const std::int64_t n = y.numel();
  if (n == 0) return;
  bias_add_channels_kernel<<<blocks_for(n), kThreads, 0, device_context().stream()>>>(
      b.data<float>(), y.data<float>(), n, y.size(1), y.size(2) * y.size(3));
  CTC_CUDA_CHECK(cudaGetLastError());
}

void bias_backward_channels(const Tensor& dy, Tensor& db) {
  require_f32(dy, "bias_backward_channels", "dy");
  const std::int64_t channels = dy.size(1);
  if (channels == 0) return;
  bias_backward_channels_kernel<<<static_cast<unsigned>(channels), kThreads, 0, device_context().stream()>>>(
      dy.data<float>(), db.data<float>(), dy.size(0), channels, dy.size(2) * dy.size(3));
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace ctcscope::cuda
