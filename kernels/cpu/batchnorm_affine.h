// The eval-mode batch norm of one channel, shared by BatchNorm2d's inference
// forwards and the convolution that applies it to its own output
// (conv2d_forward_bn_act): one definition, so all give the same bits.
#pragma once

#include <cmath>
#include <cstdint>
#include <type_traits>

#include "kernels/batchnorm.h"
#include "kernels/cpu/exp_simd.h"

namespace ctcscope::cpu {

// gamma * (1 / sqrt(var + eps)), computed in double.
template <class T>
T batchnorm_scale(T gamma, T var, double eps) {
  const double invstd = 1.0 / std::sqrt(static_cast<double>(var) + eps);
  return static_cast<T>(static_cast<double>(gamma) * invstd);
}

// batchnorm_act's constants for channel c: y = (x - center) * scale + bias.
template <class T>
struct BatchNormConstants {
  T center, scale, bias;
};

template <class T>
BatchNormConstants<T> batchnorm_constants(const InferenceBatchNorm& bn, std::int64_t c) {
  return {bn.running_mean.data<T>()[c],
          batchnorm_scale(bn.gamma.data<T>()[c], bn.running_var.data<T>()[c], bn.params.eps),
          bn.beta.data<T>()[c]};
}

// The activations' expressions (kernels/cpu/activation.cpp's). Always
// inlined: as a call it keeps the loops that use it scalar.
template <Activation kAct, class T>
[[gnu::always_inline]] inline T activate(T v) {
  if constexpr (kAct == Activation::relu) return v < T(0) ? T(0) : v;
  if constexpr (kAct == Activation::silu) return v * sigmoid_simd(v);
  return v;
}

// Calls f(std::integral_constant<Activation, act>{}), so that each activation
// is a constant in its own instantiation of f's loop.
template <class Fn>
void with_activation(Activation act, Fn&& f) {
  switch (act) {
    case Activation::relu: return f(std::integral_constant<Activation, Activation::relu>{});
    case Activation::silu: return f(std::integral_constant<Activation, Activation::silu>{});
    default: return f(std::integral_constant<Activation, Activation::none>{});
  }
}

// The loop of batchnorm_act, with the residual add and the activation as
// constants so each combination is one vectorised loop.
template <class T, bool kResidual, Activation kAct>
void batchnorm_act_loop(const T* x, std::int64_t n, T center, T scale, T bias, const T* residual, T* y) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) {
    T v = (x[i] - center) * scale + bias;
    if constexpr (kResidual) v = v + residual[i];
    y[i] = activate<kAct>(v);
  }
}

// y = (x - center) * scale + bias over n elements; y may be x. The same loop
// as batchnorm_act's, so the plain batch norm gives its bits.
template <class T>
void affine(const T* x, std::int64_t n, T center, T scale, T bias, T* y) {
  batchnorm_act_loop<T, false, Activation::none>(x, n, center, scale, bias, nullptr, y);
}

// batchnorm2d_forward_infer_act on `len` elements of channel c: y = act(bn(x)
// + residual), residual nullptr or the matching elements, y may be x. The
// residual add and the activations are the expressions of kernels/cpu/
// elementwise.cpp and activation.cpp, applied in the same order, in one pass
// (three passes cost EfficientNet-B4 a tenth of this function's time).
template <class T>
void batchnorm_act(const InferenceBatchNorm& bn, std::int64_t c, std::int64_t len, const T* x,
                   const T* residual, T* y) {
  const BatchNormConstants<T> k = batchnorm_constants<T>(bn, c);
  with_activation(bn.activation, [&](auto act) {
    if (residual != nullptr) {
      batchnorm_act_loop<T, true, decltype(act)::value>(x, len, k.center, k.scale, k.bias, residual, y);
    } else {
      batchnorm_act_loop<T, false, decltype(act)::value>(x, len, k.center, k.scale, k.bias, nullptr, y);
    }
  });
}

// batchnorm_act without a residual on `count` pixels held channels-last, kL
// lanes a pixel (channels [c0, c0+lanes); a depthwise convolution's block):
// the same expressions per element, with each lane's channel constants.
template <class T, std::int64_t kL, Activation kAct>
void batchnorm_act_lanes_loop(const T* center, const T* scale, const T* bias, std::int64_t count, T* y) {
  for (std::int64_t i = 0; i < count; ++i) {
#pragma omp simd
    for (std::int64_t l = 0; l < kL; ++l)
      y[i * kL + l] = activate<kAct>((y[i * kL + l] - center[l]) * scale[l] + bias[l]);
  }
}

template <class T, std::int64_t kL>
void batchnorm_act_lanes(const InferenceBatchNorm& bn, std::int64_t c0, std::int64_t lanes, std::int64_t count,
                         T* y) {
  alignas(64) T center[kL] = {}, scale[kL] = {}, bias[kL] = {};
  for (std::int64_t l = 0; l < lanes; ++l) {
    const BatchNormConstants<T> k = batchnorm_constants<T>(bn, c0 + l);
    center[l] = k.center, scale[l] = k.scale, bias[l] = k.bias;
  }
  with_activation(bn.activation, [&](auto act) {
    batchnorm_act_lanes_loop<T, kL, decltype(act)::value>(center, scale, bias, count, y);
  });
}

}  // namespace ctcscope::cpu
