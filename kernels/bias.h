// Per-channel bias of a convolution (torchvision's squeeze-excitation 1x1
// convolutions carry one): y[n,c,h,w] += b[c], and its gradient.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

// y: [N,C,H,W]   b: [C]. y += b broadcast over N, H, W (in place).
void bias_add_channels(const Tensor& b, Tensor& y);
// db[c] += sum_{n,h,w} dy[n,c,h,w]. db accumulated.
void bias_backward_channels(const Tensor& dy, Tensor& db);

namespace cpu {
void bias_add_channels(const Tensor& b, Tensor& y);
void bias_backward_channels(const Tensor& dy, Tensor& db);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void bias_add_channels(const Tensor& b, Tensor& y);
void bias_backward_channels(const Tensor& dy, Tensor& db);
}  // namespace cuda
#endif

}  // namespace ctcscope
