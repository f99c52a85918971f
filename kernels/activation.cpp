// Activation entry points: check the arguments, then dispatch on the device
// (the CPU twin, or the CUDA backend when built).
// In-place use (y is x, dx is dy) is allowed and passes the checks.
#include "kernels/activation.h"

#include "kernels/arg_checks.h"

namespace ctcscope {

void relu_forward(const Tensor& x, Tensor& y) {
  const char* op = "relu_forward";
  argcheck::check_float(x, op, "x");
  argcheck::check_like(y, x, x.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::relu_forward(x, y);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::relu_forward(x, y);
}

void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx) {
  const char* op = "relu_backward";
  argcheck::check_float(dy, op, "dy");
  argcheck::check_like(y, dy, dy.shape(), op, "y");
  argcheck::check_like(dx, dy, dy.shape(), op, "dx");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::relu_backward(dy, y, dx);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::relu_backward(dy, y, dx);
}

void silu_forward(const Tensor& x, Tensor& y) {
  const char* op = "silu_forward";
  argcheck::check_float(x, op, "x");
  argcheck::check_like(y, x, x.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::silu_forward(x, y);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::silu_forward(x, y);
}

void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx) {
  const char* op = "silu_backward";
  argcheck::check_float(dy, op, "dy");
  argcheck::check_like(x, dy, dy.shape(), op, "x");
  argcheck::check_like(dx, dy, dy.shape(), op, "dx");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::silu_backward(dy, x, dx);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::silu_backward(dy, x, dx);
}

void sigmoid_forward(const Tensor& x, Tensor& y) {
  const char* op = "sigmoid_forward";
  argcheck::check_float(x, op, "x");
  argcheck::check_like(y, x, x.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::sigmoid_forward(x, y);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::sigmoid_forward(x, y);
}

void sigmoid_backward(const Tensor& dy, const Tensor& y, Tensor& dx) {
  const char* op = "sigmoid_backward";
  argcheck::check_float(dy, op, "dy");
  argcheck::check_like(y, dy, dy.shape(), op, "y");
  argcheck::check_like(dx, dy, dy.shape(), op, "dx");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::sigmoid_backward(dy, y, dx);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::sigmoid_backward(dy, y, dx);
}

}  // namespace ctcscope
