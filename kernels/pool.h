// Pooling over H,W: max pool, average pool and global average pool.
// x, dx: [N,C,H,W]   y, dy: [N,C,P,Q] (global: [N,C])
// Padding counts as -inf for max pool; ceil_mode is not supported (ResNet,
// DenseNet and EfficientNet do not use it).
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

struct Pool2dParams {
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_h = 0, pad_w = 0;
  bool count_include_pad = true;  // average pool: torch.nn.AvgPool2d default
};

Shape pool2d_output_shape(const Shape& x, const Pool2dParams& p);

// y assigned; indices (i32, shape of y) assigned with the argmax's flat
// index h*W+w in its input plane. Ties go to the first maximum in scan
// order; a NaN wins, as PyTorch. indices undefined: not computed (an
// inference's forward, which has no backward; y's bits are the same).
void maxpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices);
// dx assigned: each dy routed to its argmax (summed where windows overlap,
// in output order). p: the forward's, so the GPU can gather per input
// element from the windows that hold it (the CPU twin scatters).
void maxpool2d_backward(const Tensor& dy, const Tensor& indices, const Pool2dParams& p, Tensor& dx);

// y assigned: window mean; the divisor counts padding when count_include_pad.
void avgpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y);
// dx assigned: each dy spread evenly over its window.
void avgpool2d_backward(const Tensor& dy, const Pool2dParams& p, Tensor& dx);

// y[n,c] = mean over H,W of x[n,c]. y: [N,C], assigned.
void global_avgpool_forward(const Tensor& x, Tensor& y);
// dx[n,c,h,w] = dy[n,c] / (H*W). dx assigned.
void global_avgpool_backward(const Tensor& dy, Tensor& dx);

namespace cpu {
void maxpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices);
void maxpool2d_backward(const Tensor& dy, const Tensor& indices, Tensor& dx);
void avgpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y);
void avgpool2d_backward(const Tensor& dy, const Pool2dParams& p, Tensor& dx);
void global_avgpool_forward(const Tensor& x, Tensor& y);
void global_avgpool_backward(const Tensor& dy, Tensor& dx);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void maxpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices);
void maxpool2d_backward(const Tensor& dy, const Tensor& indices, const Pool2dParams& p, Tensor& dx);
void avgpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y);
void avgpool2d_backward(const Tensor& dy, const Pool2dParams& p, Tensor& dx);
void global_avgpool_forward(const Tensor& x, Tensor& y);
void global_avgpool_backward(const Tensor& dy, Tensor& dx);
}  // namespace cuda
#endif

}  // namespace ctcscope
