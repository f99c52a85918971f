// One AdamW step, exactly as torch.optim.AdamW (amsgrad=False, maximize=False):
//   param *= 1 - lr * weight_decay                    (decoupled weight decay)
//   m = m + (1 - beta1) * (g - m)                     (exp_avg.lerp_)
//   v = beta2 * v + (1 - beta2) * g * g
//   param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// eps is added outside the square root. param, grad, exp_avg, exp_avg_sq: one shape.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

struct AdamWStep {
  double lr = 1e-3;            // torch.optim.AdamW defaults
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  std::int64_t step = 1;       // t, counted from 1 after the increment
};

// param, exp_avg and exp_avg_sq updated in place.
void adamw_step(const Tensor& grad, const AdamWStep& s, Tensor& param, Tensor& exp_avg,
                Tensor& exp_avg_sq);

namespace cpu {
void adamw_step(const Tensor& grad, const AdamWStep& s, Tensor& param, Tensor& exp_avg,
                Tensor& exp_avg_sq);
}  // namespace cpu

}  // namespace ctcscope
