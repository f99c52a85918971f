// Argument checks shared by the backend-neutral entry points in kernels/*.cpp.
// Each names the op and the argument, so a wrong call reads
// "batchnorm2d_backward: dgamma has shape [3], expected [4]".
#pragma once

#include "tensor/tensor.h"

namespace ctcscope::argcheck {

// Defined, and a floating type the kernels implement (f32, or f64 on the CPU).
inline void check_float(const Tensor& t, const char* op, const char* arg) {
  check_defined(t, op, arg);
  CTC_CHECK(t.dtype() == DType::f32 || t.dtype() == DType::f64, op, ": ", arg, " is ",
            t.describe(), ", expected f32 or f64");
}

// Defined, with `dims` dimensions.
inline void check_dim(const Tensor& t, std::int64_t dims, const char* op, const char* arg) {
  check_defined(t, op, arg);
  CTC_CHECK(t.dim() == dims, op, ": ", arg, " must have ", dims, " dimensions, got ",
            t.shape_str());
}

// The shape, and the dtype and device of `like` (the op's first input).
inline void check_like(const Tensor& t, const Tensor& like, const Shape& shape, const char* op,
                       const char* arg) {
  check_shape(t, shape, op, arg);
  check_same_dtype_device(like, t, op, arg);
}

// Without the CUDA backend, a tensor on the GPU cannot reach the CPU twin.
inline void check_backend(const Tensor& t, const char* op) {
  CTC_CHECK(t.device() == Device::cpu, op, ": CUDA backend not built (tensors are on ",
            device_name(t.device()), ")");
}

}  // namespace ctcscope::argcheck
