// Depthwise convolution on the CPU (groups == C == K), for kernels/cpu/conv.cpp:
// each channel is its own 2-D correlation with its own R x S filter.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kernels/batchnorm.h"
#include "kernels/conv.h"

namespace ctcscope::cpu {

// Sizes in cuDNN's letters: x [N,C,H,W], w [C,1,R,S], y [N,C,P,Q].
struct DepthwiseShape {
  std::int64_t N, C, H, W, R, S, P, Q;
  Conv2dParams p;
};

// y[n,c,p,q] = sum_{r,s} w[c,r,s] * x[n,c,p*sh - ph + r*dh, q*sw - pw + s*dw]
// (0 outside the image). y is assigned. With `bn` (no residual), y =
// batchnorm_act(y) as well, applied to each block while it is in cache.
template <class T>
void depthwise_forward(const T* x, const T* w, const DepthwiseShape& d, const InferenceBatchNorm* bn, T* y,
                       int threads);

// depthwise_forward's work on one block of f32 channels, [c0, c0+lanes) of
// image n with lanes <= 16, read from `planes` (channel c0+l's H*W values
// at planes + l*plane_stride) instead of x, and written to y [N,C,P,Q] (with
// bn, as depthwise_forward): a producer of the input (an MBConv's expansion)
// hands over each block while it is in cache. The same bits as
// depthwise_forward. With `means` ([N, C], or nullptr), each channel's mean
// over P x Q is stored too, the same bits as global_avgpool_forward on y
// (a squeeze-excitation's pool, without reading y back). `scratch`:
// depthwise_block_bytes(d), 64-byte aligned.
std::size_t depthwise_block_bytes(const DepthwiseShape& d);
void depthwise_forward_block(const float* planes, std::int64_t plane_stride, const float* w,
                             const DepthwiseShape& d, const InferenceBatchNorm* bn, std::int64_t n, std::int64_t c0,
                             std::int64_t lanes, float* y, float* means, char* scratch);

// dx = the adjoint of the forward in x. dx is assigned.
template <class T>
void depthwise_backward_data(const T* dy, const T* w, const DepthwiseShape& d, T* dx, int threads);

// dw[c,r,s] += sum_{n,p,q} dy[n,c,p,q] * x[n,c,p*sh - ph + r*dh, q*sw - pw + s*dw].
// Each channel block's sum runs over n, p, q in that order whatever the thread
// count: the same bits with one thread or many.
template <class T>
void depthwise_backward_filter(const T* dy, const T* x, const DepthwiseShape& d, T* dw, int threads);

}  // namespace ctcscope::cpu
