// The eval-mode batch norm of one channel, shared by BatchNorm2d's inference
// forward and the convolution that applies it to its own output
// (conv2d_forward_bn_act): one definition, so both give the same bits.
#pragma once

#include <cmath>
#include <cstdint>

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

}  // namespace ctcscope::cpu
