// BasicBlock of ResNet18/34 (He et al. 2016; torchvision's names):
//   out = relu(bn2(conv2(relu(bn1(conv1(x))))) + identity)
// identity = x, or downsample(x) = bn(conv1x1(x, stride)) when the shape changes.
#pragma once

#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/relu.h"
#include "layers/sequential.h"

namespace ctcscope {

class BasicBlock : public Module {
 public:
  static constexpr std::int64_t kExpansion = 1;
  // A downsample branch is built when stride != 1 or in_channels != planes.
  BasicBlock(std::int64_t in_channels, std::int64_t planes, std::int64_t stride = 1);

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
  Sequential* downsample_ = nullptr;
};

// Shared by both blocks: Sequential(conv1x1(in, out, stride), BatchNorm2d(out)).
std::unique_ptr<Sequential> make_downsample(std::int64_t in_channels, std::int64_t out_channels,
                                            std::int64_t stride);

}  // namespace ctcscope
