// Winograd convolution for the CPU twin's 3x3, stride-1 convolutions in f32
// (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016):
// each m x m block of output from an (m+2) x (m+2) block of input, as
// (m+2)^2 GEMMs over all tiles, with (m+2)^2 multiplications per input
// channel instead of 9 m^2.
//   F(4x4, 3x3): 36 instead of 144; its rounding error is up to about ten
//     times the direct sum's, enough to move a training step's f32 gradients
//     past the PyTorch comparison's limits: inference only.
//   F(2x2, 3x3): 16 instead of 36; its error stays near the direct sum's:
//     inference and training (forward and backward data).
// tests/kernels/test_conv_winograd.cpp measures both errors against the
// double reference. CTC_WINOGRAD=0 turns Winograd off; =2 or =4 allows only
// that tile (for comparisons).
#pragma once

#include <cstdint>

#include "kernels/batchnorm.h"

namespace ctcscope::cpu {

// x: [N,C,H,W]  w: [K,C,3,3]  y: [N,K,P,Q], tiles of `tile` x `tile` outputs
// (2 or 4). With `transposed`, w is stored [C,K,3,3] (a convolution from K
// channels to C) and read as w'[k][c][r][s] = w[c][k][2-r][2-s]: backward
// data is then this forward on dy.
struct WinogradShape {
  std::int64_t N, C, H, W, K, P, Q, pad_h, pad_w;
  int tile = 4;
  bool transposed = false;
};

// The tile that pays for this convolution, 4 or 2 (F(4x4) preferred where
// both do), or 0 where neither does or CTC_WINOGRAD forbids; a training
// pass (`training`) may take only 2. s.tile is not read.
int winograd_tile(const WinogradShape& s, bool training);
// The switch (CTC_WINOGRAD, and for the tests): 0 off, 2 or 4 that tile
// only, 1 both.
int winograd_setting();
void set_winograd(int setting);

// y = conv(x, w) (cross-correlation, zero padding pad_h/pad_w) by F(s.tile x
// s.tile, 3x3). y is assigned; with `bn`, each output then goes through
// batchnorm_act (kernels/cpu/batchnorm_affine.h). Threads take whole chunks
// of tiles whose sizes depend on the shape alone: the same bits on any
// thread count.
void winograd_forward(const float* x, const float* w, const WinogradShape& s, const InferenceBatchNorm* bn,
                      float* y, int threads);

}  // namespace ctcscope::cpu
