// ResNet18/34/50 with torchvision's structure and parameter names (conv1,
// bn1, layer1.0.conv1, layer1.0.downsample.0, ..., fc), any input from 32x32
// up and any number of classes.
#pragma once

#include <array>

#include "layers/basic_block.h"
#include "layers/bottleneck.h"
#include "layers/linear.h"
#include "layers/pool.h"
#include "models/conv_classifier.h"

namespace ctcscope {

enum class ResNetBlock { basic, bottleneck };

struct ResNetSpec {
  const char* name;
  ResNetBlock block;
  std::array<std::int64_t, 4> blocks_per_stage;
};

inline constexpr ResNetSpec kResNet18{"resnet18", ResNetBlock::basic, {2, 2, 2, 2}};
inline constexpr ResNetSpec kResNet34{"resnet34", ResNetBlock::basic, {3, 4, 6, 3}};
inline constexpr ResNetSpec kResNet50{"resnet50", ResNetBlock::bottleneck, {3, 4, 6, 3}};

class ResNet : public ConvClassifier {
 public:
  static constexpr std::int64_t kMinInput = 32;  // five halvings leave 1x1

  // Weights are initialised as torchvision does, from `seed`.
  ResNet(const ResNetSpec& spec, std::int64_t num_classes, std::uint64_t seed = 0);

  // x: [N,3,H,W] with H,W >= 32. The features are layer4's output (Grad-CAM's
  // layer in pytorch-grad-cam for ResNets); the head is avgpool and fc.
  Tensor forward_features(const Tensor& x) override;
  Tensor backward_features(const Tensor& dfeatures) override;
  Tensor forward_head(const Tensor& features) override;
  Tensor backward_head(const Tensor& dlogits) override;
  std::vector<Module*> head_cache_modules() override { return {fc_}; }
  std::string describe() const override;

  // torchvision's init: convolutions kaiming_normal_(fan_out, relu), BatchNorm
  // weight 1 and bias 0, fc as nn.Linear's default. Each parameter draws from
  // Seed{"init." + name, 0, seed}, so it does not depend on build order.
  void reset_parameters(std::uint64_t seed);
  // Re-initialises fc alone, with the same draws as reset_parameters(seed).
  void reset_head(std::uint64_t seed);

  Linear& fc() { return *fc_; }
  std::int64_t num_classes() const { return num_classes_; }

 private:
  Sequential& make_stage(const char* name, std::int64_t planes, std::int64_t blocks, std::int64_t stride);

  ResNetSpec spec_;
  std::int64_t num_classes_;
  std::int64_t in_channels_ = 64;
  Conv2d* conv1_ = nullptr;
  BatchNorm2d* bn1_ = nullptr;
  ReLU* relu_ = nullptr;
  MaxPool2d* maxpool_ = nullptr;
  std::array<Sequential*, 4> stages_{};
  GlobalAvgPool* avgpool_ = nullptr;
  Linear* fc_ = nullptr;
};

}  // namespace ctcscope
