// Fully connected layer, as torch.nn.Linear: y = x w^T + b.
// x, dx: [N,I]   w, dw: [O,I]   b, db: [O] (may be undefined: no bias)   y, dy: [N,O]
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

// y assigned.
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y);
// dx = dy w. dx assigned.
void linear_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx);
// dw += dy^T x; db += sum over the batch of dy (skipped when db is undefined).
void linear_backward_weight(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db);

namespace cpu {
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y);
void linear_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx);
void linear_backward_weight(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y);
void linear_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx);
void linear_backward_weight(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db);
}  // namespace cuda
#endif

}  // namespace ctcscope
