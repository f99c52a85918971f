// EfficientNet-B4 (Tan & Le 2019) with torchvision's structure and parameter
// names: features.0 (3x3/2 conv, BN, SiLU), features.1..7 (stages of MBConv
// blocks, features.S.B.block.*), features.8 (1x1 conv, BN, SiLU), global
// average pooling, classifier.0 (Dropout) and classifier.1 (Linear).
// Channels are scaled by width_mult and rounded by _make_divisible(., 8);
// block counts by ceil(depth_mult * n). Any input from 32x32 up.
#pragma once

#include "layers/linear.h"
#include "layers/mbconv.h"
#include "layers/pool.h"
#include "models/conv_classifier.h"

namespace ctcscope {

struct EfficientNetSpec {
  const char* name;
  double width_mult, depth_mult, dropout;
  double stochastic_depth_p = 0.2;
  double bn_eps = 1e-5;  // torchvision 0.14 gives b0..b4 nn.BatchNorm2d's default (b5..b7 use 1e-3)
};

inline constexpr EfficientNetSpec kEfficientNetB4{"efficientnet_b4", 1.4, 1.8, 0.4};

class EfficientNet : public ConvClassifier {
 public:
  static constexpr std::int64_t kMinInput = 32;  // five halvings leave 1x1

  EfficientNet(const EfficientNetSpec& spec, std::int64_t num_classes, std::uint64_t seed = 0);

  // The features are features.8's output, the 1x1 conv head (BN, SiLU)
  // before pooling: the layer pytorch-grad-cam takes for EfficientNets. The
  // head is avgpool and classifier (Dropout, Linear).
  Tensor forward_features(const Tensor& x) override;
  Tensor backward_features(const Tensor& dfeatures) override;
  Tensor forward_head(const Tensor& features) override;
  Tensor backward_head(const Tensor& dlogits) override;
  std::vector<Module*> head_cache_modules() override { return {linear_}; }
  std::string describe() const override;

  // torchvision's init: convolutions kaiming_normal_(fan_out), their biases 0,
  // BatchNorm 1 and 0, the Linear U(-1/sqrt(out), 1/sqrt(out)) with bias 0.
  // Each parameter draws from Seed{"init." + name, 0, seed}; dropout and
  // stochastic depth masks from Seed{"dropout.<module>" / "stochastic_depth.<module>", step, seed}.
  void reset_parameters(std::uint64_t seed);
  // Re-initialises the classifier's Linear alone, with the same draws as reset_parameters(seed).
  void reset_head(std::uint64_t seed);

  Linear& classifier() { return *linear_; }

 private:
  EfficientNetSpec spec_;
  std::int64_t num_classes_;
  Sequential* features_ = nullptr;
  GlobalAvgPool* avgpool_ = nullptr;
  Sequential* classifier_ = nullptr;
  Linear* linear_ = nullptr;
};

}  // namespace ctcscope
