// CrossEntropyLoss: softmax cross-entropy over logits [N,K] with i64 labels
// [N], mean over the batch, optional class weights and label smoothing
// (torch.nn.CrossEntropyLoss). Not a Module: it ends the chain, taking labels.
#pragma once

#include "kernels/loss.h"
#include "tensor/tensor.h"

namespace ctcscope {

class CrossEntropyLoss {
 public:
  // class_weights: [K] or undefined (all 1).
  explicit CrossEntropyLoss(Tensor class_weights = Tensor(), double label_smoothing = 0.0);

  // The mean loss; keeps the probabilities and labels for backward.
  double forward(const Tensor& logits, const Tensor& labels);
  // d(loss)/d(logits), scaled by dloss.
  Tensor backward(double dloss = 1.0);
  // Softmax of the last forward's logits.
  const Tensor& probs() const { return probs_; }

 private:
  Tensor class_weights_;
  CrossEntropyParams params_;
  Tensor probs_, labels_;
};

}  // namespace ctcscope
