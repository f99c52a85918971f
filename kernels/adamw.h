// One AdamW step, exactly as torch.optim.AdamW (amsgrad=False, maximize=False):
//   param *= 1 - lr * weight_decay                    (decoupled weight decay)
//   m = m + (1 - beta1) * (g - m)                     (exp_avg.lerp_)
//   v = beta2 * v + (1 - beta2) * g * g
//   param -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// eps is added outside the square root. param, grad, exp_avg, exp_avg_sq: one shape.
#pragma once

#include <vector>

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

// One parameter's four tensors for adamw_step_multi (pointers to tensors the
// caller owns; each slot as adamw_step's arguments).
struct AdamWSlot {
  const Tensor* grad;
  Tensor* param;
  Tensor* exp_avg;
  Tensor* exp_avg_sq;
};

// adamw_step for every slot, with one step s. All slots share one dtype and
// device. On the GPU this is one kernel launch over all parameters (a
// multi-tensor apply); the CPU twin loops adamw_step. Same results either way.
void adamw_step_multi(const std::vector<AdamWSlot>& slots, const AdamWStep& s);

namespace cpu {
void adamw_step(const Tensor& grad, const AdamWStep& s, Tensor& param, Tensor& exp_avg,
                Tensor& exp_avg_sq);
void adamw_step_multi(const std::vector<AdamWSlot>& slots, const AdamWStep& s);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
namespace cuda {
void adamw_step_multi(const std::vector<AdamWSlot>& slots, const AdamWStep& s);
}  // namespace cuda
#endif

}  // namespace ctcscope
