// ReLU: forward keeps its output; backward masks dy where the output was 0.
#include "layers/relu.h"

namespace ctcscope {

Tensor ReLU::forward(const Tensor& x) {
  Tensor y = inplace_ ? x : Tensor::empty(x.shape(), x.dtype(), x.device());
  relu_forward(x, y);
  if (training()) saved_y_ = y;
  return y;
}

Tensor ReLU::backward(const Tensor& dy) {
  CTC_CHECK(saved_y_.defined(), "ReLU::backward without a forward in training mode");
  Tensor dx = inplace_ ? dy : Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  relu_backward(dy, saved_y_, dx);
  saved_y_ = Tensor();
  return dx;
}

}  // namespace ctcscope
