// DenseNet's blocks (Huang et al. 2017; torchvision's names):
//   DenseLayer: new = conv2(relu2(norm2(conv1(relu1(norm1(x)))))), growth_rate
//               channels, where x is the concatenation of every earlier feature map;
//   DenseBlock: x_{i+1} = cat(x_i, denselayer{i+1}(x_i)), returns x_L (each
//               layer is handed the pieces of x_i; only x_L is built whole);
//   Transition: pool(conv(relu(norm(x)))), a 1x1 convolution and 2x2 average pool.
// The concatenation's gradient is a split: the block's backward cuts d x_{i+1}
// into the part for x_i and the part for the new features, and sums the
// layer's dx into the first.
#pragma once

#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/pool.h"
#include "layers/relu.h"

namespace ctcscope {

class DenseLayer : public Module {
 public:
  DenseLayer(std::int64_t in_channels, std::int64_t growth_rate, std::int64_t bn_size);
  // x: [N, in_channels, H, W] -> [N, growth_rate, H, W]
  Tensor run_forward(const Tensor& x) override;
  // The same on the channel concatenation of `pieces` (the block's input and
  // each earlier layer's features), which is never built in fused inference:
  // conv1 reads the pieces and applies norm1 and relu1 as it packs them
  // (Conv2d::forward_concat).
  Tensor forward_concat(const std::vector<Tensor>& pieces);
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;

 private:
  BatchNorm2d& norm1_;
  ReLU& relu1_;
  Conv2d& conv1_;
  BatchNorm2d& norm2_;
  ReLU& relu2_;
  Conv2d& conv2_;
};

class DenseBlock : public Module {
 public:
  // Children "denselayer1" ... "denselayer<layers>".
  DenseBlock(std::int64_t layers, std::int64_t in_channels, std::int64_t growth_rate, std::int64_t bn_size);
  // [N, in, H, W] -> [N, in + layers * growth_rate, H, W]
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  std::int64_t out_channels() const { return in_channels_ + growth_rate_ * std::int64_t(layers_.size()); }

 private:
  std::int64_t in_channels_, growth_rate_;
  std::vector<DenseLayer*> layers_;
};

class Transition : public Module {
 public:
  Transition(std::int64_t in_channels, std::int64_t out_channels);
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;

 private:
  BatchNorm2d& norm_;
  ReLU& relu_;
  Conv2d& conv_;
  AvgPool2d& pool_;
};

}  // namespace ctcscope
