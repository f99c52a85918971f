// 2-D convolution (cross-correlation, as PyTorch), with stride, padding,
// dilation and groups (depthwise when groups == C == K).
// x: [N,C,H,W]   w: [K,C/groups,R,S]   y: [N,K,P,Q]
// P = (H + 2*pad_h - dilation_h*(R-1) - 1) / stride_h + 1, Q likewise.
// Tensors are f32 (f64 on the CPU for gradient checks), all on one device.
#pragma once

#include <vector>

#include "kernels/batchnorm.h"
#include "tensor/tensor.h"

namespace ctcscope {

struct Conv2dParams {
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
  // An inference's forward, which may take a faster algorithm with a larger
  // rounding error: Winograd F(4x4, 3x3) on the CPU (kernels/cpu/conv_winograd.h).
  // Training takes at most F(2x2, 3x3), whose error the PyTorch comparisons bound.
  bool fast_inference = false;
};

// The output shape for x and w, or an error naming what does not fit.
Shape conv2d_output_shape(const Shape& x, const Shape& w, const Conv2dParams& p);

// y = conv(x, w). y is assigned.
void conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p, Tensor& y);
// Inference: y = act(batchnorm_infer(conv(x, w)) + residual) (kernels/batchnorm.h),
// with the batch norm, the residual add (a residual block's identity;
// optional) and the activation applied to each chunk of the output while it
// is still in cache rather than as more passes over memory. The same bits as
// conv2d_forward then batchnorm2d_forward_infer_act. CPU only.
// With a gate ([N, C] or [N, C, 1, 1]: squeeze-excitation's), the input is
// x * gate[n, c]; a 1x1 convolution applies it as it packs x for its GEMM
// instead of in a pass of its own. The same bits as channel_scale_forward
// first.
void conv2d_forward_bn_act(const Tensor& x, const Tensor& w, const Conv2dParams& p,
                           const InferenceBatchNorm& bn, Tensor& y, const Tensor& gate = Tensor());
// Inference: conv2d_forward_bn_act on input_bn's act(batchnorm_infer(x))
// where x is the channel concatenation of `pieces` (DenseNet's layer, from
// its input's batch norm to its first convolution's): a 1x1 convolution
// applies input_bn to each piece's planes as it packs them, and neither the
// concatenation nor the normalised input is built. The same bits as
// batchnorm2d_forward_infer_act_concat then conv2d_forward_bn_act. CPU only.
void conv2d_forward_bn_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& input_bn,
                                  const Tensor& w, const Conv2dParams& p, const InferenceBatchNorm& bn, Tensor& y);

// Inference: an MBConv's expansion and depthwise convolution, y =
// conv2d_forward_bn_act(conv2d_forward_bn_act(x, w_expand, p_expand,
// bn_expand), w_depthwise, p_depthwise, bn_depthwise), with p_depthwise.groups
// the expanded channels and neither batch norm with a residual. Where the
// expansion is 1x1 (f32), the expanded tensor is never built: 16 expanded
// channels of a chunk of images at a time go from the GEMM through the batch
// norm into the depthwise convolution while in cache. means [N, channels] is
// assigned global_avgpool_forward(y) (the squeeze-excitation's pool that
// follows), there taken from each block before it leaves cache. The same bits
// either way. CPU only.
void conv2d_forward_expand_depthwise(const Tensor& x, const Tensor& w_expand, const Conv2dParams& p_expand,
                                     const InferenceBatchNorm& bn_expand, const Tensor& w_depthwise,
                                     const Conv2dParams& p_depthwise, const InferenceBatchNorm& bn_depthwise,
                                     Tensor& y, Tensor& means);

// dx = conv_transpose(dy, w): the gradient of sum(y * dy) by x. dx is assigned.
void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2dParams& p, Tensor& dx);
// dw += gradient of sum(y * dy) by w, summed over the batch. dw is accumulated.
void conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Conv2dParams& p, Tensor& dw);

namespace cpu {
void conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p, Tensor& y);
void conv2d_forward_bn_act(const Tensor& x, const Tensor& w, const Conv2dParams& p,
                           const InferenceBatchNorm& bn, Tensor& y, const Tensor& gate);
void conv2d_forward_bn_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& input_bn,
                                  const Tensor& w, const Conv2dParams& p, const InferenceBatchNorm& bn, Tensor& y);
void conv2d_forward_expand_depthwise(const Tensor& x, const Tensor& w_expand, const Conv2dParams& p_expand,
                                     const InferenceBatchNorm& bn_expand, const Tensor& w_depthwise,
                                     const Conv2dParams& p_depthwise, const InferenceBatchNorm& bn_depthwise,
                                     Tensor& y, Tensor& means);
void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2dParams& p, Tensor& dx);
void conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Conv2dParams& p, Tensor& dw);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p, Tensor& y);
void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2dParams& p, Tensor& dx);
void conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Conv2dParams& p, Tensor& dw);
}  // namespace cuda
#endif

}  // namespace ctcscope
