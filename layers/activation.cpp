// SiLU and Sigmoid: forward caches (input or output) in training mode,
// backward applies the derivative and frees the cache.
#include "layers/activation.h"

namespace ctcscope {

Tensor SiLU::run_forward(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  silu_forward(x, y);
  if (training()) saved_x_ = x;
  return y;
}

Tensor SiLU::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_x_.defined(), "SiLU::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  silu_backward(dy, saved_x_, dx);
  saved_x_ = Tensor();
  return dx;
}

Tensor Sigmoid::run_forward(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  sigmoid_forward(x, y);
  if (training()) saved_y_ = y;
  return y;
}

Tensor Sigmoid::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_y_.defined(), "Sigmoid::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  sigmoid_backward(dy, saved_y_, dx);
  saved_y_ = Tensor();
  return dx;
}

// SiLU per element: forward 4 flops (exp, add, divide, multiply), backward
// 8 (s = sigmoid(x) again, then dy * s * (1 + x * (1 - s))). Bytes: x and y
// forward; dy, x and dx backward.
LayerCost SiLU::cost(const Tensor& x) const { return elementwise_cost(x, 4, 8, 2, 3); }

// Sigmoid per element: forward 3 flops (exp, add, divide), backward 3
// (dy * y * (1 - y)). Bytes: x and y forward; dy, y and dx backward.
LayerCost Sigmoid::cost(const Tensor& x) const { return elementwise_cost(x, 3, 3, 2, 3); }

}  // namespace ctcscope
