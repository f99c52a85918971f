// Channel concatenation (DenseNet's torch.cat(features, 1)) and its gradient,
// the split of dy back into the pieces.
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace ctcscope {

// The shape of the pieces concatenated: [N, sum C_i, H, W] of pieces[0]'s N, H, W
// (the pieces are not checked here; the kernels that take them check them).
Shape concat_channels_shape(const std::vector<Tensor>& pieces);

// inputs[i]: [N,C_i,H,W] (same N, H, W, dtype, device)   y: [N, sum C_i, H, W]
// y assigned: channels [offset_i, offset_i + C_i) of y are inputs[i].
void concat_channels(const std::vector<Tensor>& inputs, Tensor& y);
// The gradient of concat_channels: dxs[i] = dy[:, offset_i : offset_i + C_i].
// dxs[i] assigned; their shapes say how dy is cut.
void split_channels(const Tensor& dy, std::vector<Tensor>& dxs);

namespace cpu {
void concat_channels(const std::vector<Tensor>& inputs, Tensor& y);
void split_channels(const Tensor& dy, std::vector<Tensor>& dxs);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void concat_channels(const std::vector<Tensor>& inputs, Tensor& y);
void split_channels(const Tensor& dy, std::vector<Tensor>& dxs);
}  // namespace cuda
#endif

}  // namespace ctcscope
