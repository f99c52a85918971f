// DenseNet: the stem (7x7/2 convolution, BatchNorm, ReLU, 3x3/2 max pool),
// four dense blocks with transitions halving channels and size between them,
// a final BatchNorm and ReLU, global average pooling and the classifier.
#include "models/densenet.h"

#include <cmath>
#include <sstream>

#include "layers/inference_fusion.h"

namespace ctcscope {

DenseNet::DenseNet(const DenseNetSpec& spec, std::int64_t num_classes, std::uint64_t seed)
    : spec_(spec), num_classes_(num_classes) {
  CTC_CHECK(num_classes >= 2, spec.name, ": needs at least 2 classes, got ", num_classes);
  auto features = std::make_unique<Sequential>();
  auto& conv0 = features->add("conv0", std::make_unique<Conv2d>(3, spec.init_features, 7, 2, 3));
  conv0.set_input_grad(false);
  auto& norm0 = features->add("norm0", std::make_unique<BatchNorm2d>(spec.init_features));
  fuse_for_inference(conv0, norm0, &features->add("relu0", std::make_unique<ReLU>(true)));
  features->add("pool0", std::make_unique<MaxPool2d>(3, 2, 1));
  std::int64_t channels = spec.init_features;
  for (std::size_t b = 0; b < spec.block_layers.size(); ++b) {
    const std::string k = std::to_string(b + 1);
    auto& block = features->add("denseblock" + k, std::make_unique<DenseBlock>(spec.block_layers[b], channels,
                                                                              spec.growth_rate, spec.bn_size));
    channels = block.out_channels();
    if (b + 1 != spec.block_layers.size()) {
      features->add("transition" + k, std::make_unique<Transition>(channels, channels / 2));
      channels /= 2;
    }
  }
  auto& norm5 = features->add("norm5", std::make_unique<BatchNorm2d>(channels));
  features_ = &register_module("features", std::move(features));
  relu_ = &register_module("relu", std::make_unique<ReLU>(true));
  fuse_for_inference(norm5, *relu_);
  avgpool_ = &register_module("avgpool", std::make_unique<GlobalAvgPool>());
  classifier_ = &register_module("classifier", std::make_unique<Linear>(channels, num_classes));
  reset_parameters(seed);
}

void DenseNet::reset_parameters(std::uint64_t seed) {
  for (auto& [name, p] : named_parameters()) {
    Seed s{"init." + name, 0, seed};
    if (name.rfind("classifier.", 0) == 0) {
      continue;  // reset_head
    } else if (p->value.dim() == 4) {
      // kaiming_normal_(w): mode fan_in, leaky_relu with a = 0, so std = sqrt(2 / fan_in).
      const double fan_in = double(p->value.numel() / p->value.size(0));
      fill_normal(p->value, s, 0.0, std::sqrt(2.0 / fan_in));
    } else if (name.ends_with(".weight")) {
      p->value.fill(1.0);  // BatchNorm gamma
    } else {
      p->value.fill(0.0);  // BatchNorm beta
    }
  }
  reset_head(seed);
}

void DenseNet::reset_head(std::uint64_t seed) {
  init_uniform_fan_in(classifier_->weight().value, classifier_->in_features(),
                      Seed{"init.classifier.weight", 0, seed});
  classifier_->bias().value.fill(0.0);
}

Tensor DenseNet::forward_features(const Tensor& x) {
  CTC_CHECK(x.dim() == 4 && x.size(1) == 3, spec_.name, ": input must be [N,3,H,W], got ", x.shape_str());
  CTC_CHECK(x.size(2) >= kMinInput && x.size(3) >= kMinInput, spec_.name, ": input must be at least ",
            kMinInput, "x", kMinInput, ", got ", x.size(2), "x", x.size(3));
  return relu_->forward(features_->forward(x));
}

Tensor DenseNet::backward_features(const Tensor& dfeatures) {
  return features_->backward(relu_->backward(dfeatures));
}

Tensor DenseNet::forward_head(const Tensor& features) {
  return classifier_->forward(avgpool_->forward(features));
}

Tensor DenseNet::backward_head(const Tensor& dlogits) {
  return avgpool_->backward(classifier_->backward(dlogits));
}

std::string DenseNet::describe() const {
  std::ostringstream out;
  out << spec_.name << "(classes=" << num_classes_ << ")";
  return out.str();
}

}  // namespace ctcscope
