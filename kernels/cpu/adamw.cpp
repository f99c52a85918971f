// CPU twin of the AdamW update (kernels/adamw.h), one OpenMP chunk of elements
// per thread. The operations and their order are torch.optim.AdamW's
// single-tensor path, with every scalar rounded to T first as torch does, and
// FMAs exactly where torch's AVX2 kernels have them (lerp_, addcmul_), so f32
// results agree with torch bit for bit. Built -ffp-contract=off so the
// compiler adds no other fusions.
#include <cmath>
#include <cstdint>

#include "kernels/adamw.h"

namespace ctcscope::cpu {

namespace {

template <class T>
void adamw_step_impl(const Tensor& grad, const AdamWStep& s, Tensor& param, Tensor& exp_avg,
                     Tensor& exp_avg_sq) {
  const std::int64_t n = param.numel();
  const T* g = grad.data<T>();
  T* w = param.data<T>();
  T* m = exp_avg.data<T>();
  T* v = exp_avg_sq.data<T>();

  // Scalars as torch forms them: in double, then cast to the tensor's type.
  const double t = static_cast<double>(s.step);
  const double bias_correction1 = 1.0 - std::pow(s.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(s.beta2, t);
  const T decay = static_cast<T>(1.0 - s.lr * s.weight_decay);
  const T lerp_weight = static_cast<T>(1.0 - s.beta1);
  const bool lerp_small = std::fabs(static_cast<double>(lerp_weight)) < 0.5;
  const T one = 1;
  const T beta2 = static_cast<T>(s.beta2);
  const T one_minus_beta2 = static_cast<T>(1.0 - s.beta2);
  const T bias_correction2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T eps = static_cast<T>(s.eps);
  const T neg_step_size = static_cast<T>(-(s.lr / bias_correction1));

#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) {
    // param.mul_(1 - lr * weight_decay)
    w[i] = w[i] * decay;
    // exp_avg.lerp_(grad, 1 - beta1), torch's two-sided lerp formula:
    // weight < 0.5 ? m + weight * (g - m) : g - (g - m) * (1 - weight), fused
    const T diff = g[i] - m[i];
    m[i] = lerp_small ? std::fma(lerp_weight, diff, m[i])
                      : std::fma(-diff, one - lerp_weight, g[i]);
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2): v + (c * g) * g, fused
    v[i] = v[i] * beta2;
    v[i] = std::fma(one_minus_beta2 * g[i], g[i], v[i]);
    // denom = exp_avg_sq.sqrt() / sqrt(bias_correction2) + eps
    const T denom = std::sqrt(v[i]) / bias_correction2_sqrt + eps;
    // param.addcdiv_(exp_avg, denom, value=-lr / bias_correction1)
    w[i] = w[i] + neg_step_size * m[i] / denom;
  }
}

}  // namespace

void adamw_step(const Tensor& grad, const AdamWStep& s, Tensor& param, Tensor& exp_avg,
                Tensor& exp_avg_sq) {
  if (param.dtype() == DType::f64) {
    adamw_step_impl<double>(grad, s, param, exp_avg, exp_avg_sq);
  } else {
    adamw_step_impl<float>(grad, s, param, exp_avg, exp_avg_sq);
  }
}

// The twin of the GPU's multi-tensor apply: the single-tensor step per slot.
void adamw_step_multi(const std::vector<AdamWSlot>& slots, const AdamWStep& s) {
  for (const AdamWSlot& slot : slots) {
    cpu::adamw_step(*slot.grad, s, *slot.param, *slot.exp_avg, *slot.exp_avg_sq);
  }
}

}  // namespace ctcscope::cpu
