// Elementwise activations. Any shape; y may be the same tensor as x and dx
// the same tensor as dy (in place), which the layers use to save memory.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

// y = max(x, 0). y assigned.
void relu_forward(const Tensor& x, Tensor& y);
// dx = dy where y > 0, else 0 (from the output, so x need not be kept). dx assigned.
void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx);

namespace cpu {
void relu_forward(const Tensor& x, Tensor& y);
void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void relu_forward(const Tensor& x, Tensor& y);
void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx);
}  // namespace cuda
#endif

}  // namespace ctcscope
