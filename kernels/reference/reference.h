// Plain references for the kernel families, in double precision, written as
// the formulas in each op's header and nothing more: no blocking, no threads,
// no GEMM, loops in the order the formula reads. Tests hold the CPU twin
// (kernels/cpu/) and the CUDA kernels (kernels/cuda/) against these
// (tests/support/twin_check.h); nothing in the engine calls them.
// Inputs may be f32 or f64 on the CPU; outputs are f64 tensors.
// Each family's contract is in its header: kernels/conv.h, kernels/linear.h,
// kernels/pool.h, kernels/batchnorm.h.
#pragma once

#include "kernels/batchnorm.h"
#include "kernels/conv.h"
#include "kernels/pool.h"
#include "tensor/tensor.h"

namespace ctcscope::reference {

// Convolution: y = conv(x, w); the two gradients of sum(y * dy), dw summed over the batch.
Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p);
Tensor conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape, const Conv2dParams& p);
Tensor conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Shape& w_shape, const Conv2dParams& p);

// Linear: y = x w^T + b (b may be undefined); dx = dy w; dw = dy^T x; db = sum over rows of dy.
Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b);
Tensor linear_backward_data(const Tensor& dy, const Tensor& w);
Tensor linear_backward_weight(const Tensor& dy, const Tensor& x);
Tensor linear_backward_bias(const Tensor& dy);

// Pooling. Max pool's argmax is the flat index h*W+w in the input plane, the
// first maximum in scan order, a NaN winning (as PyTorch).
struct MaxPoolResult {
  Tensor y, indices;  // indices: f64 holding the integer index
};
MaxPoolResult maxpool2d_forward(const Tensor& x, const Pool2dParams& p);
Tensor maxpool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape);
Tensor avgpool2d_forward(const Tensor& x, const Pool2dParams& p);
Tensor avgpool2d_backward(const Tensor& dy, const Shape& x_shape, const Pool2dParams& p);
Tensor global_avgpool_forward(const Tensor& x);
Tensor global_avgpool_backward(const Tensor& dy, const Shape& x_shape);

// Batch norm in training mode: y, the batch mean and 1/sqrt(var + eps)
// (biased variance), and the running statistics after one update (unbiased).
struct BatchNormTrainResult {
  Tensor y, saved_mean, saved_invstd, running_mean, running_var;
};
BatchNormTrainResult batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                               const Tensor& running_mean, const Tensor& running_var,
                                               const BatchNormParams& p);
Tensor batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                                 const Tensor& running_var, const BatchNormParams& p);
struct BatchNormGrads {
  Tensor dx, dgamma, dbeta;
};
BatchNormGrads batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& saved_mean,
                                    const Tensor& saved_invstd);

}  // namespace ctcscope::reference
