// Dropout and stochastic depth entry points: check, then dispatch on the device
// (CPU twin or CUDA).
#include "kernels/dropout.h"

#include "kernels/arg_checks.h"

namespace ctcscope {
namespace {

void check_p(double p, const char* op) {
  CTC_CHECK(p >= 0.0 && p <= 1.0, op, ": p must be in [0, 1], got ", p);
}

}  // namespace

void dropout_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  const char* op = "dropout_forward";
  check_p(p, op);
  argcheck::check_float(x, op, "x");
  argcheck::check_like(y, x, x.shape(), op, "y");
  argcheck::check_like(mask, x, x.shape(), op, "mask");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::dropout_forward(x, p, seed, y, mask);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::dropout_forward(x, p, seed, y, mask);
}

void dropout_backward(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  const char* op = "dropout_backward";
  argcheck::check_float(dy, op, "dy");
  argcheck::check_like(mask, dy, dy.shape(), op, "mask");
  argcheck::check_like(dx, dy, dy.shape(), op, "dx");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::dropout_backward(dy, mask, dx);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::dropout_backward(dy, mask, dx);
}

void stochastic_depth_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  const char* op = "stochastic_depth_forward";
  check_p(p, op);
  argcheck::check_float(x, op, "x");
  CTC_CHECK(x.dim() >= 1, op, ": x needs a batch dimension, got ", x.shape_str());
  argcheck::check_like(y, x, x.shape(), op, "y");
  argcheck::check_like(mask, x, {x.size(0)}, op, "mask");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::stochastic_depth_forward(x, p, seed, y, mask);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::stochastic_depth_forward(x, p, seed, y, mask);
}

void stochastic_depth_backward(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  const char* op = "stochastic_depth_backward";
  argcheck::check_float(dy, op, "dy");
  CTC_CHECK(dy.dim() >= 1, op, ": dy needs a batch dimension, got ", dy.shape_str());
  argcheck::check_like(mask, dy, {dy.size(0)}, op, "mask");
  argcheck::check_like(dx, dy, dy.shape(), op, "dx");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::stochastic_depth_backward(dy, mask, dx);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::stochastic_depth_backward(dy, mask, dx);
}

}  // namespace ctcscope
