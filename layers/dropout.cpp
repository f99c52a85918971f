// Dropout and StochasticDepth: the mask is drawn in forward and kept for
// backward; with p == 0 or in eval mode both pass the tensor through.
#include "layers/dropout.h"

#include <sstream>

namespace ctcscope {

Dropout::Dropout(double p, Seed seed) : p_(p), seed_(std::move(seed)) {
  CTC_CHECK(p >= 0.0 && p <= 1.0, "Dropout: p must be in [0, 1], got ", p);
}

Tensor Dropout::run_forward(const Tensor& x) {
  identity_ = !training() || p_ == 0.0;
  if (identity_) return x;
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  saved_mask_ = Tensor::empty(x.shape(), x.dtype(), x.device());
  dropout_forward(x, p_, seed_, y, saved_mask_);
  ++seed_.index;
  return y;
}

Tensor Dropout::run_backward(const Tensor& dy) {
  if (identity_) return dy;
  CTC_CHECK(saved_mask_.defined(), "Dropout::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  dropout_backward(dy, saved_mask_, dx);
  saved_mask_ = Tensor();
  return dx;
}

std::string Dropout::describe() const {
  std::ostringstream out;
  out << "Dropout(p=" << p_ << ")";
  return out.str();
}

StochasticDepth::StochasticDepth(double p, Seed seed) : p_(p), seed_(std::move(seed)) {
  CTC_CHECK(p >= 0.0 && p <= 1.0, "StochasticDepth: p must be in [0, 1], got ", p);
}

Tensor StochasticDepth::run_forward(const Tensor& x) {
  identity_ = !training() || p_ == 0.0;
  if (identity_) return x;
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  saved_mask_ = Tensor::empty({x.size(0)}, x.dtype(), x.device());
  stochastic_depth_forward(x, p_, seed_, y, saved_mask_);
  ++seed_.index;
  return y;
}

Tensor StochasticDepth::run_backward(const Tensor& dy) {
  if (identity_) return dy;
  CTC_CHECK(saved_mask_.defined(), "StochasticDepth::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  stochastic_depth_backward(dy, saved_mask_, dx);
  saved_mask_ = Tensor();
  return dx;
}

std::string StochasticDepth::describe() const {
  std::ostringstream out;
  out << "StochasticDepth(p=" << p_ << ", mode=row)";
  return out.str();
}

// In training with p > 0: one multiply per element each way (the draw not
// counted). Bytes: x, the mask and y forward; dy, the mask and dx backward.
// Otherwise the identity: nothing.
LayerCost Dropout::cost(const Tensor& x) const {
  if (!training() || p_ == 0.0) return {};
  return elementwise_cost(x, 1, 1, 3, 3);
}

// In training with p > 0: one multiply per element each way (the per-row
// mask is negligible). Bytes: x and y forward; dy and dx backward.
LayerCost StochasticDepth::cost(const Tensor& x) const {
  if (!training() || p_ == 0.0) return {};
  return elementwise_cost(x, 1, 1, 2, 2);
}

}  // namespace ctcscope
