// Elementwise arithmetic entry points: check the arguments, then dispatch to
// the device's backend (CPU twin or CUDA). y may be the same tensor as a or b.
#include "kernels/elementwise.h"

#include "kernels/arg_checks.h"

namespace ctcscope {

void add(const Tensor& a, const Tensor& b, Tensor& y) {
  const char* op = "add";
  argcheck::check_float(a, op, "a");
  argcheck::check_like(b, a, a.shape(), op, "b");
  argcheck::check_like(y, a, a.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (a.device() == Device::cuda) return cuda::add(a, b, y);
#else
  argcheck::check_backend(a, op);
#endif
  cpu::add(a, b, y);
}

void add_inplace(const Tensor& x, Tensor& y) {
  const char* op = "add_inplace";
  argcheck::check_float(x, op, "x");
  argcheck::check_like(y, x, x.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::add_inplace(x, y);
#else
  argcheck::check_backend(x, op);
#endif
  cpu::add_inplace(x, y);
}

}  // namespace ctcscope
