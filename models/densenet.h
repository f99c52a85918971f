// DenseNet121 (Huang et al. 2017) with torchvision's structure and parameter
// names: features.conv0/norm0/relu0/pool0, features.denseblock1..4
// (.denselayerK.norm1/conv1/norm2/conv2), features.transition1..3
// (.norm/.conv), features.norm5, then ReLU, global average pooling and
// "classifier". Any input from 32x32 up, any number of classes.
#pragma once

#include <array>

#include "layers/dense_block.h"
#include "layers/linear.h"
#include "layers/sequential.h"
#include "models/conv_classifier.h"

namespace ctcscope {

struct DenseNetSpec {
  const char* name;
  std::int64_t growth_rate;
  std::array<std::int64_t, 4> block_layers;
  std::int64_t init_features;
  std::int64_t bn_size;
};

inline constexpr DenseNetSpec kDenseNet121{"densenet121", 32, {6, 12, 24, 16}, 64, 4};

class DenseNet : public ConvClassifier {
 public:
  static constexpr std::int64_t kMinInput = 32;  // five halvings leave 1x1

  DenseNet(const DenseNetSpec& spec, std::int64_t num_classes, std::uint64_t seed = 0);

  // x: [N,3,H,W] with H,W >= 32. The features are features' output (its
  // final norm5) after the ReLU torchvision applies before pooling: the last
  // block's activations as the classifier sees them. The head is avgpool and
  // classifier.
  Tensor forward_features(const Tensor& x) override;
  Tensor backward_features(const Tensor& dfeatures) override;
  Tensor forward_head(const Tensor& features) override;
  Tensor backward_head(const Tensor& dlogits) override;
  std::vector<Module*> head_cache_modules() override { return {classifier_}; }
  std::string describe() const override;

  // torchvision's init: convolutions kaiming_normal_ (fan_in, gain sqrt 2),
  // BatchNorm 1 and 0, classifier weight as nn.Linear's default and bias 0.
  // Each parameter draws from Seed{"init." + name, 0, seed}.
  void reset_parameters(std::uint64_t seed);
  // Re-initialises the classifier alone, with the same draws as reset_parameters(seed).
  void reset_head(std::uint64_t seed);

  Linear& classifier() { return *classifier_; }

 private:
  DenseNetSpec spec_;
  std::int64_t num_classes_;
  Sequential* features_ = nullptr;
  ReLU* relu_ = nullptr;
  GlobalAvgPool* avgpool_ = nullptr;
  Linear* classifier_ = nullptr;
};

}  // namespace ctcscope
