// Elementwise activations (ReLU, SiLU, sigmoid). Any shape; y may be the same tensor as x and dx
// the same tensor as dy (in place), which the layers use to save memory.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

// y = max(x, 0). y assigned.
void relu_forward(const Tensor& x, Tensor& y);
// dx = dy where y > 0, else 0 (from the output, so x need not be kept). dx assigned.
void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx);

// y = x * sigmoid(x) (SiLU, "swish"; EfficientNet's activation). y assigned.
void silu_forward(const Tensor& x, Tensor& y);
// dx = dy * s * (1 + x (1 - s)), s = sigmoid(x): needs the input x. dx assigned.
void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx);

// y = 1 / (1 + exp(-x)). y assigned.
void sigmoid_forward(const Tensor& x, Tensor& y);
// dx = dy * y (1 - y), from the output. dx assigned.
void sigmoid_backward(const Tensor& dy, const Tensor& y, Tensor& dx);

namespace cpu {
void relu_forward(const Tensor& x, Tensor& y);
void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx);
void silu_forward(const Tensor& x, Tensor& y);
void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx);
void sigmoid_forward(const Tensor& x, Tensor& y);
void sigmoid_backward(const Tensor& dy, const Tensor& y, Tensor& dx);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void relu_forward(const Tensor& x, Tensor& y);
void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx);
void silu_forward(const Tensor& x, Tensor& y);
void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx);
void sigmoid_forward(const Tensor& x, Tensor& y);
void sigmoid_backward(const Tensor& dy, const Tensor& y, Tensor& dx);
}  // namespace cuda
#endif

}  // namespace ctcscope
