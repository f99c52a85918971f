// Elementwise arithmetic on tensors of one shape: the residual add and the
// accumulations of gradients.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

// y = a + b. y assigned; y may be the same tensor as a or b.
void add(const Tensor& a, const Tensor& b, Tensor& y);
// y += x.
void add_inplace(const Tensor& x, Tensor& y);

namespace cpu {
void add(const Tensor& a, const Tensor& b, Tensor& y);
void add_inplace(const Tensor& x, Tensor& y);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void add(const Tensor& a, const Tensor& b, Tensor& y);
void add_inplace(const Tensor& x, Tensor& y);
}  // namespace cuda
#endif

}  // namespace ctcscope
