// Entry point of the AdamW update (kernels/adamw.h): checks that the four
// tensors agree in shape, dtype and device and that the hyper-parameters are
// valid, then dispatches to the CPU twin or the CUDA backend.
#include "kernels/adamw.h"

namespace ctcscope {

namespace {

void check_adamw(const char* op, const Tensor& grad, const AdamWStep& s, const Tensor& param,
                 const Tensor& exp_avg, const Tensor& exp_avg_sq) {
  check_defined(param, op, "param");
  CTC_CHECK(param.dtype() == DType::f32 || param.dtype() == DType::f64, op,
            ": param must be f32 or f64, got ", param.describe());
  check_shape(grad, param.shape(), op, "grad");
  check_shape(exp_avg, param.shape(), op, "exp_avg");
  check_shape(exp_avg_sq, param.shape(), op, "exp_avg_sq");
  check_same_dtype_device(param, grad, op, "grad");
  check_same_dtype_device(param, exp_avg, op, "exp_avg");
  check_same_dtype_device(param, exp_avg_sq, op, "exp_avg_sq");
  // The ranges torch.optim.AdamW accepts.
  CTC_CHECK(s.step >= 1, op, ": step counts from 1, got ", s.step);
  CTC_CHECK(s.lr >= 0.0, op, ": lr must be >= 0, got ", s.lr);
  CTC_CHECK(s.eps >= 0.0, op, ": eps must be >= 0, got ", s.eps);
  CTC_CHECK(s.beta1 >= 0.0 && s.beta1 < 1.0, op, ": beta1 must be in [0,1), got ", s.beta1);
  CTC_CHECK(s.beta2 >= 0.0 && s.beta2 < 1.0, op, ": beta2 must be in [0,1), got ", s.beta2);
  CTC_CHECK(s.weight_decay >= 0.0, op, ": weight_decay must be >= 0, got ", s.weight_decay);
}

}  // namespace

void adamw_step(const Tensor& grad, const AdamWStep& s, Tensor& param, Tensor& exp_avg,
                Tensor& exp_avg_sq) {
  const char* op = "adamw_step";
  check_adamw(op, grad, s, param, exp_avg, exp_avg_sq);
#ifdef CTC_WITH_CUDA
  if (param.device() == Device::cuda) {
    cuda::adamw_step_multi({AdamWSlot{&grad, &param, &exp_avg, &exp_avg_sq}}, s);
    return;
  }
#else
  CTC_CHECK(param.device() == Device::cpu, op, ": CUDA backend not built (param is ",
            param.describe(), ")");
#endif
  cpu::adamw_step(grad, s, param, exp_avg, exp_avg_sq);
}

void adamw_step_multi(const std::vector<AdamWSlot>& slots, const AdamWStep& s) {
  const char* op = "adamw_step_multi";
  if (slots.empty()) return;
  for (const AdamWSlot& slot : slots) {
    CTC_CHECK(slot.grad && slot.param && slot.exp_avg && slot.exp_avg_sq, op,
              ": a slot has a null tensor pointer");
    check_adamw(op, *slot.grad, s, *slot.param, *slot.exp_avg, *slot.exp_avg_sq);
    check_same_dtype_device(*slots.front().param, *slot.param, op, "param");
  }
  const Tensor& first = *slots.front().param;
#ifdef CTC_WITH_CUDA
  if (first.device() == Device::cuda) {
    cuda::adamw_step_multi(slots, s);
    return;
  }
#else
  CTC_CHECK(first.device() == Device::cpu, op, ": CUDA backend not built (param is ",
            first.describe(), ")");
#endif
  cpu::adamw_step_multi(slots, s);
}

}  // namespace ctcscope
