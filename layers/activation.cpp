// SiLU and Sigmoid: forward caches (input or output) in training mode,
// backward applies the derivative and frees the cache.
#include "layers/activation.h"

namespace ctcscope {

Tensor SiLU::forward(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  silu_forward(x, y);
  if (training()) saved_x_ = x;
  return y;
}

Tensor SiLU::backward(const Tensor& dy) {
  CTC_CHECK(saved_x_.defined(), "SiLU::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  silu_backward(dy, saved_x_, dx);
  saved_x_ = Tensor();
  return dx;
}

Tensor Sigmoid::forward(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  sigmoid_forward(x, y);
  if (training()) saved_y_ = y;
  return y;
}

Tensor Sigmoid::backward(const Tensor& dy) {
  CTC_CHECK(saved_y_.defined(), "Sigmoid::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  sigmoid_backward(dy, saved_y_, dx);
  saved_y_ = Tensor();
  return dx;
}

}  // namespace ctcscope
