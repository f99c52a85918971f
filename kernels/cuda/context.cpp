// DeviceContext: handles, workspace and the conv algorithm cache of device 0.
#include "kernels/cuda/context.h"

#include <string>

#include "tensor/cuda_memory.h"
#include "tensor/device.h"

namespace ctcscope::cuda {

DeviceContext::DeviceContext() {
  stream_ = cuda_stream();  // checks that a device exists
  CTC_CUDNN_CHECK(cudnnCreate(&cudnn_));
  CTC_CUDNN_CHECK(cudnnSetStream(cudnn_, stream_));
  CTC_CUBLAS_CHECK(cublasCreate(&cublas_));
  CTC_CUBLAS_CHECK(cublasSetStream(cublas_, stream_));
  // Math is chosen per call (cublasGemmEx's compute type), not by the handle.
  CTC_CUBLAS_CHECK(cublasSetMathMode(cublas_, CUBLAS_DEFAULT_MATH));
  state_ = static_cast<DeviceState*>(cuda_allocate(sizeof(DeviceState)));
  cuda_zero_bytes(state_, sizeof(DeviceState));
}

DeviceContext::~DeviceContext() {
  cuda_deallocate(workspace_);
  cuda_deallocate(state_);
  if (cublas_) (void)cublasDestroy(cublas_);
  if (cudnn_) (void)cudnnDestroy(cudnn_);
}

void* DeviceContext::workspace(std::size_t bytes) {
  if (bytes > workspace_bytes_) {
    const std::size_t rounded = (bytes + 255) / 256 * 256;
    void* p = cuda_allocate(rounded);
    cuda_deallocate(workspace_);
    workspace_ = p;
    workspace_bytes_ = rounded;
  }
  return workspace_;
}

const ConvChoice* DeviceContext::find_conv(const ConvKey& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = conv_cache_.find(key);
  return it == conv_cache_.end() ? nullptr : &it->second;
}

void DeviceContext::remember_conv(const ConvKey& key, const ConvChoice& choice) {
  std::lock_guard<std::mutex> lock(mutex_);
  conv_cache_[key] = choice;
}

void throw_device_errors(unsigned errors, const char* where) {
  if (errors == 0) return;
  std::string what;
  if (errors & kMaxPoolIndexOutsideWindow) {
    what += "maxpool2d_backward: an index falls outside its window (the indices are not this "
            "pool's forward's); ";
  }
  if (errors & kCrossEntropyLabelOutOfRange) {
    what += "cross_entropy_backward: a label is outside [0, classes); ";
  }
  CTC_FAIL("the GPU flagged errors (found at ", where, "): ", what.substr(0, what.size() - 2));
}

DeviceContext& device_context() {
  // Never destroyed: tensors freed during static destruction still need the
  // stream, and the driver releases everything at exit.
  static DeviceContext* ctx = new DeviceContext();
  return *ctx;
}

}  // namespace ctcscope::cuda
