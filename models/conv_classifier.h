// ConvClassifier: a CNN classifier in two halves, so a caller can see the
// last convolutional block's output and the gradient flowing back into it
// (Grad-CAM, models/grad_cam.h). features(x) runs the stem through the last
// convolutional block; head(features) the pooling, any dropout and the
// classifier. forward and backward are the two halves in turn.
#pragma once

#include <vector>

#include "layers/module.h"

namespace ctcscope {

class ConvClassifier : public Module {
 public:
  Tensor run_forward(const Tensor& x) final { return forward_head(forward_features(x)); }
  Tensor run_backward(const Tensor& dy) final { return backward_features(backward_head(dy)); }

  // x: [N,3,H,W] -> the last convolutional block's output [N,C,h,w].
  virtual Tensor forward_features(const Tensor& x) = 0;
  // The input needs no gradient: returns an undefined tensor.
  virtual Tensor backward_features(const Tensor& dfeatures) = 0;
  // [N,C,h,w] -> logits [N, classes].
  virtual Tensor forward_head(const Tensor& features) = 0;
  // d(logits) -> d(features); adds into the classifier's parameter grads.
  virtual Tensor backward_head(const Tensor& dlogits) = 0;

  // The head's modules that keep a backward cache only in training mode.
  // Grad-CAM switches just these to training mode to explain the eval-mode
  // network: none of them is random or uses batch statistics (a Dropout
  // before the classifier is not among them and stays the identity).
  virtual std::vector<Module*> head_cache_modules() = 0;
};

// `net` as a ConvClassifier; an error naming it where it is not one.
ConvClassifier& as_conv_classifier(Module& net);

}  // namespace ctcscope
