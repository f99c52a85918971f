// CPU twin of the AdamW update (kernels/adamw.h), one OpenMP chunk of elements
// per thread. The operations and their order are torch.optim.AdamW's
// single-tensor path, with every scalar rounded to T first as torch does, and
// FMAs exactly where torch's AVX2 kernels have them (lerp_, addcmul_), so f32
// results agree with torch bit for bit. Built -ffp-contract=off so the
// compiler adds no other fusions, and -fno-math-errno so that std::sqrt is the
// vector instruction (the same correctly rounded square root) rather than a
// call kept for errno.
#include <cmath>
#include <cstdint>

#include <omp.h>

#include "kernels/adamw.h"

namespace ctcscope::cpu {

namespace {

// The step's scalars in T, as adamw_step_impl forms them.
template <class T>
struct AdamWScalars {
  T decay, lerp_weight, beta2, one_minus_beta2, bias_correction2_sqrt, eps, neg_step_size;
};

// The update of n elements. Vectorised (each lane does the same IEEE
// operations, so the bits are the scalar loop's): the scalar loop took 5% of
// a ResNet34 train step. kLerpSmall: |1 - beta1| < 0.5, which lerp formula.
template <bool kLerpSmall, class T>
void adamw_elements(const AdamWScalars<T> k, std::int64_t n, const T* __restrict g, T* __restrict w,
                    T* __restrict m, T* __restrict v) {
  const T one = 1;
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) {
    // param.mul_(1 - lr * weight_decay)
    T wi = w[i] * k.decay;
    // exp_avg.lerp_(grad, 1 - beta1), torch's two-sided lerp formula:
    // weight < 0.5 ? m + weight * (g - m) : g - (g - m) * (1 - weight), fused
    const T diff = g[i] - m[i];
    const T mi = kLerpSmall ? std::fma(k.lerp_weight, diff, m[i]) : std::fma(-diff, one - k.lerp_weight, g[i]);
    // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2): v + (c * g) * g, fused
    const T vi = std::fma(k.one_minus_beta2 * g[i], g[i], v[i] * k.beta2);
    // denom = exp_avg_sq.sqrt() / sqrt(bias_correction2) + eps
    const T denom = std::sqrt(vi) / k.bias_correction2_sqrt + k.eps;
    // param.addcdiv_(exp_avg, denom, value=-lr / bias_correction1)
    wi = wi + k.neg_step_size * mi / denom;
    w[i] = wi, m[i] = mi, v[i] = vi;
  }
}

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
  const T beta2 = static_cast<T>(s.beta2);
  const T one_minus_beta2 = static_cast<T>(1.0 - s.beta2);
  const T bias_correction2_sqrt = static_cast<T>(std::sqrt(bias_correction2));
  const T eps = static_cast<T>(s.eps);
  const T neg_step_size = static_cast<T>(-(s.lr / bias_correction1));

  const AdamWScalars<T> k{decay, lerp_weight, beta2, one_minus_beta2, bias_correction2_sqrt, eps,
                          neg_step_size};
#pragma omp parallel
  {
    const std::int64_t team = omp_get_num_threads(), id = omp_get_thread_num();
    const std::int64_t begin = n * id / team, end = n * (id + 1) / team;
    if (lerp_small) {
      adamw_elements<true>(k, end - begin, g + begin, w + begin, m + begin, v + begin);
    } else {
      adamw_elements<false>(k, end - begin, g + begin, w + begin, m + begin, v + begin);
    }
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
