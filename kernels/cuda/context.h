// The CUDA backend's per-GPU context: cuDNN and cuBLAS handles bound to the
// process's stream, a workspace that grows on demand and is never freed per
// op, and the convolution algorithm cache. Ops take it from device_context().
#pragma once

#include <cublas_v2.h>
#include <cudnn.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "kernels/gpu_math.h"
#include "tensor/cuda_check.h"
#include "tensor/dtype.h"

namespace ctcscope::cuda {

enum class ConvPass : std::uint8_t { forward, backward_data, backward_filter };

// Everything that changes which algorithm is valid, fast or exact (docs/style.md):
// shapes, stride, padding, dilation, groups, dtype, math mode, determinism.
struct ConvKey {
  ConvPass pass;
  std::int64_t n, c, h, w;       // x
  std::int64_t k, r, s;          // w: [K, C/groups, R, S]
  std::int64_t stride_h, stride_w, pad_h, pad_w, dilation_h, dilation_w, groups;
  DType dtype;
  bool allow_tf32;
  bool deterministic;
  auto operator<=>(const ConvKey&) const = default;
};

// The chosen algorithm (one of cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t,
// stored as int), its workspace and the math type it was found with.
struct ConvChoice {
  int algo = 0;
  std::size_t workspace_bytes = 0;
  cudnnMathType_t math_type = CUDNN_DEFAULT_MATH;
};

// What a kernel finds wrong on the device (an index outside its window, a
// label out of range) is flagged in DeviceState::errors instead of costing a
// host wait after every op: the next read-back that waits anyway (the
// cross-entropy loss, or check_device_errors()) brings the word along and
// throws, naming what was found. Sticky until read.
enum DeviceError : unsigned {
  kMaxPoolIndexOutsideWindow = 1u << 0,
  kCrossEntropyLabelOutOfRange = 1u << 1,
};

// Small device memory that ops keep between calls: allocated with the
// context, never moved (unlike the workspace, which a convolution may grow).
struct DeviceState {
  unsigned errors;          // DeviceError bits
  long long bad_label_row;  // cross-entropy forward: the first label out of range, or -1
  double loss;              // cross-entropy forward: the loss, read back with bad_label_row
  double weight_total;      // cross-entropy backward: sum of w[y_i]
  double weight_sum;        // cross-entropy backward: sum of w[k]
};

// Throws, naming each flagged error, when `errors` is not 0.
void throw_device_errors(unsigned errors, const char* where);

class DeviceContext {
 public:
  DeviceContext();
  ~DeviceContext();
  DeviceContext(const DeviceContext&) = delete;
  DeviceContext& operator=(const DeviceContext&) = delete;

  cudaStream_t stream() const { return stream_; }
  cudnnHandle_t cudnn() const { return cudnn_; }
  cublasHandle_t cublas() const { return cublas_; }

  // At least `bytes` of device scratch, valid until the next call. Growing
  // frees the old block in stream order, so queued work still sees it.
  void* workspace(std::size_t bytes);

  // On the device; zeroed at creation.
  DeviceState* state() const { return state_; }

  // The math settings now in force (kernels/gpu_math.h).
  GpuMath math() const { return gpu_math(); }

  // The cached choice for `key`, or nullptr.
  const ConvChoice* find_conv(const ConvKey& key) const;
  void remember_conv(const ConvKey& key, const ConvChoice& choice);

 private:
  cudaStream_t stream_ = nullptr;
  cudnnHandle_t cudnn_ = nullptr;
  cublasHandle_t cublas_ = nullptr;
  DeviceState* state_ = nullptr;
  void* workspace_ = nullptr;
  std::size_t workspace_bytes_ = 0;
  mutable std::mutex mutex_;
  std::map<ConvKey, ConvChoice> conv_cache_;
};

// The context of device 0, created on first use (throws when there is no GPU).
DeviceContext& device_context();

// Blocks of 256 threads; enough blocks to cover n elements, capped so a grid
// stride loop does the rest.
inline constexpr int kThreads = 256;
inline unsigned blocks_for(std::int64_t n) {
  const std::int64_t b = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535 * 8 ? 65535 * 8 : b));
}

}  // namespace ctcscope::cuda
