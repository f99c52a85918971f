// Helpers shared by the CUDA ops: argument guards for what the GPU backend
// implements (f32 only; f64 is the CPU's gradient-check type) and RAII cuDNN
// descriptors.
#pragma once

#include <climits>
#include <cstdint>

#include "kernels/cuda/context.h"
#include "tensor/tensor.h"

namespace ctcscope::cuda {

inline void require_f32(const Tensor& t, const char* op, const char* arg) {
  CTC_CHECK(t.dtype() == DType::f32, op, ": the CUDA backend implements f32 only, ", arg, " is ",
            t.describe());
}

// cuDNN and cuBLAS take int sizes.
inline int to_int(std::int64_t v, const char* op, const char* what) {
  CTC_CHECK(v >= 0 && v <= INT_MAX, op, ": ", what, " = ", v, " does not fit the int cuDNN/cuBLAS take");
  return static_cast<int>(v);
}

class TensorDesc {
 public:
  TensorDesc() { CTC_CUDNN_CHECK(cudnnCreateTensorDescriptor(&d_)); }
  ~TensorDesc() { (void)cudnnDestroyTensorDescriptor(d_); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
  // Contiguous NCHW f32.
  void set_nchw(std::int64_t n, std::int64_t c, std::int64_t h, std::int64_t w, const char* op) {
    // cuDNN's 4-d descriptors hold int strides, so the whole tensor must fit too.
    to_int(n * c * h * w, op, "N*C*H*W");
    CTC_CUDNN_CHECK(cudnnSetTensor4dDescriptor(d_, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT,
                                               to_int(n, op, "N"), to_int(c, op, "C"),
                                               to_int(h, op, "H"), to_int(w, op, "W")));
  }
  cudnnTensorDescriptor_t get() const { return d_; }

 private:
  cudnnTensorDescriptor_t d_ = nullptr;
};

class FilterDesc {
 public:
  FilterDesc() { CTC_CUDNN_CHECK(cudnnCreateFilterDescriptor(&d_)); }
  ~FilterDesc() { (void)cudnnDestroyFilterDescriptor(d_); }
  FilterDesc(const FilterDesc&) = delete;
  FilterDesc& operator=(const FilterDesc&) = delete;
  cudnnFilterDescriptor_t get() const { return d_; }

 private:
  cudnnFilterDescriptor_t d_ = nullptr;
};

class ConvDesc {
 public:
  ConvDesc() { CTC_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&d_)); }
  ~ConvDesc() { (void)cudnnDestroyConvolutionDescriptor(d_); }
  ConvDesc(const ConvDesc&) = delete;
  ConvDesc& operator=(const ConvDesc&) = delete;
  cudnnConvolutionDescriptor_t get() const { return d_; }

 private:
  cudnnConvolutionDescriptor_t d_ = nullptr;
};

}  // namespace ctcscope::cuda
