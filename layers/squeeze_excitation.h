// Squeeze-excitation (Hu et al. 2018) as torchvision.ops.SqueezeExcitation:
//   s = sigmoid(fc2(silu(fc1(avgpool(x)))))   y = x * s   (s per sample and channel)
// fc1 and fc2 are 1x1 convolutions with a bias. Names: avgpool, fc1,
// activation, fc2, scale_activation.
#pragma once

#include "layers/activation.h"
#include "layers/conv2d.h"
#include "layers/pool.h"

namespace ctcscope {

class SqueezeExcitation : public Module {
 public:
  SqueezeExcitation(std::int64_t channels, std::int64_t squeeze_channels);
  Tensor run_forward(const Tensor& x) override;
  // s alone, [N, C, 1, 1] (for a convolution that applies it as it reads x:
  // MBConv's projection in inference).
  Tensor gate(const Tensor& x);
  // The same from x's channel means, [N, C] (what avgpool would give).
  Tensor gate_from_means(const Tensor& means);
  // dx = dy * s (the direct path) + the gradient through s, summed.
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;

 protected:
  void on_mode_change() override { saved_x_ = saved_s_ = Tensor(); }

 private:
  GlobalAvgPool& avgpool_;
  Conv2d& fc1_;
  SiLU& activation_;
  Conv2d& fc2_;
  Sigmoid& scale_activation_;
  Tensor saved_x_, saved_s_;
};

}  // namespace ctcscope
