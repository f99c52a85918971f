// Winograd F(4x4, 3x3) for the CPU twin's 3x3, stride-1 convolutions in f32
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
// each 4x4 block of output from a 6x6 block of input with 36 multiplications
// per input channel instead of 144, as 36 GEMMs over all tiles. Its rounding
// error is larger than the direct sum's (tests/kernels/test_conv_winograd.cpp
// measures it against the double reference): enough to move a training
// step's f32 gradients past the PyTorch comparison's limits, so only
// inference takes it (Conv2dParams::fast_inference). CTC_WINOGRAD=0 turns it off.
#pragma once

#include <cstdint>

#include "kernels/batchnorm.h"

namespace ctcscope::cpu {

// x: [N,C,H,W]  w: [K,C,3,3]  y: [N,K,P,Q].
struct WinogradShape {
  std::int64_t N, C, H, W, K, P, Q, pad_h, pad_w;
};

// Whether the Winograd path takes this convolution: switched on
// (CTC_WINOGRAD), padding within the tile's reach, and fewer multiplications
// than the direct sum by enough to pay for the transforms (small maps waste
// most of a 4x4 tile).
bool winograd_pays(const WinogradShape& s);
bool winograd_enabled();
void set_winograd(bool on);

// y = conv(x, w) (cross-correlation, zero padding pad_h/pad_w). y is
// assigned; with `bn`, each image's outputs then go through batchnorm_act
// (kernels/cpu/batchnorm_affine.h). Threads split every pass, never the sum
// of one output: the same bits on any thread count.
void winograd_forward(const float* x, const float* w, const WinogradShape& s, const InferenceBatchNorm* bn,
                      float* y, int threads);

}  // namespace ctcscope::cpu
