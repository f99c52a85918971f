// Channel-wise multiply entry points: check, then dispatch on the device (CPU twin or CUDA).
#include "kernels/channel_scale.h"

#include "kernels/arg_checks.h"

namespace ctcscope {
namespace {

void check_scale(const Tensor& s, const Tensor& x, const char* op, const char* arg) {
  check_defined(s, op, arg);
  const Shape flat{x.size(0), x.size(1)};
  const Shape four{x.size(0), x.size(1), 1, 1};
  argcheck::check_like(s, x, s.dim() == 4 ? four : flat, op, arg);
}

}  // namespace

void channel_scale_forward(const Tensor& x, const Tensor& s, Tensor& y) {
  const char* op = "channel_scale_forward";
  argcheck::check_float(x, op, "x");
  argcheck::check_dim(x, 4, op, "x");
  check_scale(s, x, op, "s");
  argcheck::check_like(y, x, x.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::channel_scale_forward(x, s, y);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::channel_scale_forward(x, s, y);
}

void channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s, Tensor& dx, Tensor& ds) {
  const char* op = "channel_scale_backward";
  argcheck::check_float(dy, op, "dy");
  argcheck::check_dim(dy, 4, op, "dy");
  argcheck::check_like(x, dy, dy.shape(), op, "x");
  check_scale(s, dy, op, "s");
  argcheck::check_like(dx, dy, dy.shape(), op, "dx");
  argcheck::check_like(ds, dy, s.shape(), op, "ds");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::channel_scale_backward(dy, x, s, dx, ds);
#else
  argcheck::check_backend(dy, op);
#endif
  cpu::channel_scale_backward(dy, x, s, dx, ds);
}

}  // namespace ctcscope
