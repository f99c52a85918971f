// Plain references for the kernel families, in double precision, written as
// the formulas in each op's header and nothing more: no blocking, no threads,
// no GEMM, loops in the order the formula reads. Tests hold the CPU twin
// (kernels/cpu/) and the CUDA kernels (kernels/cuda/) against these
// (tests/kernels/twin_check.h); nothing in the engine calls them.
// Inputs may be f32 or f64 on the CPU; outputs are f64 tensors.
// Each family's contract is in its header: kernels/conv.h, kernels/linear.h,
// kernels/pool.h, kernels/batchnorm.h, kernels/activation.h, kernels/bias.h,
// kernels/elementwise.h, kernels/channel_scale.h, kernels/concat.h,
// kernels/loss.h, kernels/adamw.h, kernels/dropout.h. An output the op
// accumulates into (bias_add_channels' y, bias_backward_channels' db) is an
// input here too, and the reference returns its value after the call.
#pragma once

#include <vector>

#include "kernels/adamw.h"
#include "kernels/batchnorm.h"
#include "kernels/conv.h"
#include "kernels/loss.h"
#include "kernels/pool.h"
#include "tensor/random.h"
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

// Activations: y from x, dx from dy and what the op's backward reads (y or x).
Tensor relu_forward(const Tensor& x);
Tensor relu_backward(const Tensor& dy, const Tensor& y);
Tensor silu_forward(const Tensor& x);
Tensor silu_backward(const Tensor& dy, const Tensor& x);
Tensor sigmoid_forward(const Tensor& x);
Tensor sigmoid_backward(const Tensor& dy, const Tensor& y);

// Per-channel bias: y + b[c] over [N,C,H,W]; db + the sum of dy over N, H, W.
Tensor bias_add_channels(const Tensor& b, const Tensor& y);
Tensor bias_backward_channels(const Tensor& dy, const Tensor& db);

// Elementwise: a + b (add, and add_inplace's y + x).
Tensor add(const Tensor& a, const Tensor& b);

// Channel scale: y = x * s[n,c]; dx = dy * s[n,c], ds[n,c] = sum over h,w of dy * x (ds shaped as s).
Tensor channel_scale_forward(const Tensor& x, const Tensor& s);
struct ChannelScaleGrads {
  Tensor dx, ds;
};
ChannelScaleGrads channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s);

// Concatenation along channels, and the split of dy into pieces of `channels` channels.
Tensor concat_channels(const std::vector<Tensor>& inputs);
std::vector<Tensor> split_channels(const Tensor& dy, const std::vector<std::int64_t>& channels);

// Softmax and cross-entropy (the mean over the batch, class weights and label
// smoothing as kernels/loss.h). labels: any dtype holding the class index.
Tensor softmax_forward(const Tensor& logits);
struct CrossEntropyResult {
  Tensor probs, loss;  // loss: [1]
};
CrossEntropyResult cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                                         const CrossEntropyParams& p);
Tensor cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                              const CrossEntropyParams& p, double dloss);

// One AdamW step: param, exp_avg and exp_avg_sq after it.
struct AdamWState {
  Tensor param, exp_avg, exp_avg_sq;
};
AdamWState adamw_step(const Tensor& grad, const AdamWStep& s, const Tensor& param, const Tensor& exp_avg,
                      const Tensor& exp_avg_sq);

// Dropout and stochastic depth. The mask is re-derived from the seed as the
// header states it (kept when Philox uniform(i) < 1 - p, then 1/(1-p), else 0),
// not taken from the op. dropout_apply: x * mask elementwise (forward, and
// backward with dy); stochastic_depth_apply: row n of x times mask[n].
Tensor dropout_mask(const Shape& shape, double p, const Seed& seed);
Tensor dropout_apply(const Tensor& x, const Tensor& mask);
Tensor stochastic_depth_apply(const Tensor& x, const Tensor& mask);

}  // namespace ctcscope::reference
