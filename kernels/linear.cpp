// Linear (fully connected) entry points: check the arguments, then dispatch
// on the device (CPU twin or cuBLAS). The bias b and its gradient db may be undefined (no bias).
#include "kernels/linear.h"

#include "kernels/arg_checks.h"

namespace ctcscope {

using argcheck::check_backend;
using argcheck::check_dim;
using argcheck::check_float;
using argcheck::check_like;

void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y) {
  const char* op = "linear_forward";
  check_float(x, op, "x");
  check_dim(x, 2, op, "x");
  check_dim(w, 2, op, "w");
  check_like(w, x, {w.size(0), x.size(1)}, op, "w");
  if (b.defined()) check_like(b, x, {w.size(0)}, op, "b");
  check_like(y, x, {x.size(0), w.size(0)}, op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::linear_forward(x, w, b, y);
#else
  check_backend(x, op);
#endif
  cpu::linear_forward(x, w, b, y);
}

void linear_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx) {
  const char* op = "linear_backward_data";
  check_float(dy, op, "dy");
  check_dim(dy, 2, op, "dy");
  check_dim(w, 2, op, "w");
  check_like(w, dy, {dy.size(1), w.size(1)}, op, "w");
  check_like(dx, dy, {dy.size(0), w.size(1)}, op, "dx");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::linear_backward_data(dy, w, dx);
#else
  check_backend(dy, op);
#endif
  cpu::linear_backward_data(dy, w, dx);
}

void linear_backward_weight(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db) {
  const char* op = "linear_backward_weight";
  check_float(dy, op, "dy");
  check_dim(dy, 2, op, "dy");
  check_dim(x, 2, op, "x");
  check_like(x, dy, {dy.size(0), x.size(1)}, op, "x");
  check_like(dw, dy, {dy.size(1), x.size(1)}, op, "dw");
  if (db.defined()) check_like(db, dy, {dy.size(1)}, op, "db");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::linear_backward_weight(dy, x, dw, db);
#else
  check_backend(dy, op);
#endif
  cpu::linear_backward_weight(dy, x, dw, db);
}

}  // namespace ctcscope
