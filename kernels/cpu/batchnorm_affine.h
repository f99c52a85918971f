// The eval-mode batch norm of one channel, shared by BatchNorm2d's inference
// forwards and the convolution that applies it to its own output
// (conv2d_forward_bn_act): one definition, so all give the same bits.
#pragma once

#include <cmath>
#include <cstdint>

#include "kernels/batchnorm.h"
#include "kernels/cpu/exp_simd.h"

namespace ctcscope::cpu {

// gamma * (1 / sqrt(var + eps)), computed in double.
template <class T>
T batchnorm_scale(T gamma, T var, double eps) {
  const double invstd = 1.0 / std::sqrt(static_cast<double>(var) + eps);
  return static_cast<T>(static_cast<double>(gamma) * invstd);
}

// y = (x - center) * scale + bias over n elements; y may be x.
template <class T>
void affine(const T* x, std::int64_t n, T center, T scale, T bias, T* y) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) y[i] = (x[i] - center) * scale + bias;
}

// batchnorm2d_forward_infer_act on `len` elements of channel c: y = act(bn(x)
// + residual), residual nullptr or the matching elements, y may be x. The
// residual add and the activations are the expressions of kernels/cpu/
// elementwise.cpp and activation.cpp, applied in the same order.
template <class T>
void batchnorm_act(const InferenceBatchNorm& bn, std::int64_t c, std::int64_t len, const T* x,
                   const T* residual, T* y) {
  affine(x, len, bn.running_mean.data<T>()[c],
         batchnorm_scale(bn.gamma.data<T>()[c], bn.running_var.data<T>()[c], bn.params.eps),
         bn.beta.data<T>()[c], y);
  if (residual != nullptr) {
#pragma omp simd
    for (std::int64_t i = 0; i < len; ++i) y[i] = y[i] + residual[i];
  }
  if (bn.activation == Activation::relu) {
#pragma omp simd
    for (std::int64_t i = 0; i < len; ++i) y[i] = y[i] < T(0) ? T(0) : y[i];
  } else if (bn.activation == Activation::silu) {
#pragma omp simd
    for (std::int64_t i = 0; i < len; ++i) y[i] = y[i] * sigmoid_simd(y[i]);
  }
}

}  // namespace ctcscope::cpu
