// Bottleneck of ResNet50 (torchvision's "v1.5": the stride sits on the 3x3):
//   out = relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + identity)
// conv1 1x1 in->planes, conv2 3x3 planes->planes (stride), conv3 1x1 planes->4*planes.
#pragma once

#include "layers/basic_block.h"

namespace ctcscope {

class Bottleneck : public Module {
 public:
  static constexpr std::int64_t kExpansion = 4;
  // A downsample branch is built when stride != 1 or in_channels != 4*planes.
  Bottleneck(std::int64_t in_channels, std::int64_t planes, std::int64_t stride = 1);

  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;

 private:
  Conv2d& conv1_;
  BatchNorm2d& bn1_;
  ReLU& relu1_;
  Conv2d& conv2_;
  BatchNorm2d& bn2_;
  ReLU& relu2_;
  Conv2d& conv3_;
  BatchNorm2d& bn3_;
  ReLU& relu3_;
  Sequential* downsample_ = nullptr;
};

}  // namespace ctcscope
