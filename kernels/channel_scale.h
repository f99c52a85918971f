// Channel-wise multiply, the "excitation" of squeeze-excitation:
// y[n,c,h,w] = x[n,c,h,w] * s[n,c].
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

// x, y: [N,C,H,W]   s: [N,C] or [N,C,1,1]. y assigned; y may be x.
void channel_scale_forward(const Tensor& x, const Tensor& s, Tensor& y);
// dx[n,c,h,w] = dy[n,c,h,w] * s[n,c]        (dx assigned; dx may be dy)
// ds[n,c]     = sum_{h,w} dy[n,c,h,w] * x[n,c,h,w]   (ds assigned, shape of s)
void channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s, Tensor& dx, Tensor& ds);

namespace cpu {
void channel_scale_forward(const Tensor& x, const Tensor& s, Tensor& y);
void channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s, Tensor& dx, Tensor& ds);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void channel_scale_forward(const Tensor& x, const Tensor& s, Tensor& y);
void channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s, Tensor& dx, Tensor& ds);
}  // namespace cuda
#endif

}  // namespace ctcscope
