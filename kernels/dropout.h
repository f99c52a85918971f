// Dropout (elementwise) and stochastic depth (whole samples of a residual
// branch, torchvision's StochasticDepth(mode="row")), training mode only:
// the layers skip them in eval mode. Random draws come from the Philox
// generator keyed by `seed` (element i of a draw depends only on the seed and
// i), so a mask is the same whatever the thread count.
#pragma once

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace ctcscope {

// Keeps each element with probability 1 - p and scales it by 1/(1 - p)
// (torch.nn.functional.dropout); p == 1 drops everything.
// x, y, mask: same shape. mask assigned: 0 or 1/(1-p), the factor applied;
// y = x * mask (y may be x).
void dropout_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask);
// dx = dy * mask. dx assigned (dx may be dy).
void dropout_backward(const Tensor& dy, const Tensor& mask, Tensor& dx);

// Keeps each sample (row n of x) with probability 1 - p, scaled by 1/(1 - p)
// (torchvision.ops.stochastic_depth, mode "row"). x, y: [N,...]   mask: [N].
// mask assigned (0 or 1/(1-p)); y[n] = x[n] * mask[n] (y may be x).
void stochastic_depth_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask);
// dx[n] = dy[n] * mask[n]. dx assigned (dx may be dy).
void stochastic_depth_backward(const Tensor& dy, const Tensor& mask, Tensor& dx);

namespace cpu {
void dropout_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask);
void dropout_backward(const Tensor& dy, const Tensor& mask, Tensor& dx);
void stochastic_depth_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask);
void stochastic_depth_backward(const Tensor& dy, const Tensor& mask, Tensor& dx);
// The mask alone, drawn as the forwards draw it: mask[i] = 0 or 1/(1-p) for
// i < mask.numel(). mask: f32 or f64 on the CPU, assigned. The CUDA twins
// draw their masks here and copy them to the GPU, so both backends drop the
// same elements for the same seed.
void dropout_fill_mask(double p, const Seed& seed, Tensor& mask);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void dropout_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask);
void dropout_backward(const Tensor& dy, const Tensor& mask, Tensor& dx);
void stochastic_depth_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask);
void stochastic_depth_backward(const Tensor& dy, const Tensor& mask, Tensor& dx);
}  // namespace cuda
#endif

}  // namespace ctcscope
