// ReLU: forward keeps its output; backward masks dy where the output was 0.
#include "layers/relu.h"

namespace ctcscope {

Tensor ReLU::run_forward(const Tensor& x) {
  Tensor y = inplace_ ? x : Tensor::empty(x.shape(), x.dtype(), x.device());
  relu_forward(x, y);
  if (training()) saved_y_ = y;
  return y;
}

Tensor ReLU::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_y_.defined(), "ReLU::backward without a forward in training mode");
  Tensor dx = inplace_ ? dy : Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  relu_backward(dy, saved_y_, dx);
  saved_y_ = Tensor();
  return dx;
}

// One flop per element each way (a max, a select). Bytes: x and y forward;
// dy, y and dx backward.
LayerCost ReLU::cost(const Tensor& x) const { return elementwise_cost(x, 1, 1, 2, 3); }

}  // namespace ctcscope
