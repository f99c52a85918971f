// Per-channel bias entry points: check, then dispatch on the device (CPU twin or CUDA).
#include "kernels/bias.h"

#include "kernels/arg_checks.h"

namespace ctcscope {

void bias_add_channels(const Tensor& b, Tensor& y) {
  const char* op = "bias_add_channels";
  argcheck::check_float(y, op, "y");
  argcheck::check_dim(y, 4, op, "y");
  argcheck::check_like(b, y, {y.size(1)}, op, "b");
#ifdef CTC_WITH_CUDA
  if (y.device() == Device::cuda) return cuda::bias_add_channels(b, y);
#else
  argcheck::check_backend(y, op);
#endif
  cpu::bias_add_channels(b, y);
}

void bias_backward_channels(const Tensor& dy, Tensor& db) {
  const char* op = "bias_backward_channels";
  argcheck::check_float(dy, op, "dy");
  argcheck::check_dim(dy, 4, op, "dy");
  argcheck::check_like(db, dy, {dy.size(1)}, op, "db");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::bias_backward_channels(dy, db);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::bias_backward_channels(dy, db);
}

}  // namespace ctcscope
