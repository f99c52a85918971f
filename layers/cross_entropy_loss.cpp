// CrossEntropyLoss: a thin holder of the cross-entropy kernels' state.
#include "layers/cross_entropy_loss.h"

namespace ctcscope {

CrossEntropyLoss::CrossEntropyLoss(Tensor class_weights, double label_smoothing)
    : class_weights_(std::move(class_weights)) {
  CTC_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0,
            "label smoothing must be in [0, 1], got ", label_smoothing);
  params_.label_smoothing = label_smoothing;
}

double CrossEntropyLoss::forward(const Tensor& logits, const Tensor& labels) {
  probs_ = Tensor::empty(logits.shape(), logits.dtype(), logits.device());
  Tensor loss = Tensor::empty({1}, logits.dtype(), logits.device());
  Tensor weights = class_weights_;
  if (weights.defined() && weights.dtype() != logits.dtype()) weights = weights.to(logits.dtype());
  if (weights.defined()) weights = weights.to_device(logits.device());
  labels_ = labels;
  return cross_entropy_forward(logits, labels, weights, params_, probs_, loss);
}

Tensor CrossEntropyLoss::backward(double dloss) {
  CTC_CHECK(probs_.defined(), "CrossEntropyLoss::backward without a forward");
  Tensor dlogits = Tensor::empty(probs_.shape(), probs_.dtype(), probs_.device());
  Tensor weights = class_weights_;
  if (weights.defined() && weights.dtype() != probs_.dtype()) weights = weights.to(probs_.dtype());
  if (weights.defined()) weights = weights.to_device(probs_.device());
  cross_entropy_backward(probs_, labels_, weights, params_, dloss, dlogits);
  return dlogits;
}

}  // namespace ctcscope
