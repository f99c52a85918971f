// ResNet: the stem (7x7/2 convolution, BatchNorm, ReLU, 3x3/2 max pool), four
// stages of residual blocks, global average pooling and the classifier.
#include "models/resnet.h"

#include <sstream>

#include "layers/inference_fusion.h"

namespace ctcscope {

ResNet::ResNet(const ResNetSpec& spec, std::int64_t num_classes, std::uint64_t seed)
    : spec_(spec), num_classes_(num_classes) {
  CTC_CHECK(num_classes >= 2, spec.name, ": needs at least 2 classes, got ", num_classes);
  conv1_ = &register_module("conv1", std::make_unique<Conv2d>(3, 64, 7, 2, 3));
  conv1_->set_input_grad(false);
  bn1_ = &register_module("bn1", std::make_unique<BatchNorm2d>(64));
  relu_ = &register_module("relu", std::make_unique<ReLU>(true));
  fuse_for_inference(*conv1_, *bn1_, relu_);
  maxpool_ = &register_module("maxpool", std::make_unique<MaxPool2d>(3, 2, 1));
  const std::int64_t planes[4] = {64, 128, 256, 512};
  const char* names[4] = {"layer1", "layer2", "layer3", "layer4"};
  for (int s = 0; s < 4; ++s) {
    stages_[s] = &make_stage(names[s], planes[s], spec.blocks_per_stage[s], s == 0 ? 1 : 2);
  }
  avgpool_ = &register_module("avgpool", std::make_unique<GlobalAvgPool>());
  fc_ = &register_module("fc", std::make_unique<Linear>(in_channels_, num_classes));
  reset_parameters(seed);
}

Sequential& ResNet::make_stage(const char* name, std::int64_t planes, std::int64_t blocks,
                               std::int64_t stride) {
  auto stage = std::make_unique<Sequential>();
  for (std::int64_t b = 0; b < blocks; ++b) {
    std::int64_t block_stride = b == 0 ? stride : 1;
    if (spec_.block == ResNetBlock::basic) {
      stage->add(std::make_unique<BasicBlock>(in_channels_, planes, block_stride));
      in_channels_ = planes * BasicBlock::kExpansion;
    } else {
      stage->add(std::make_unique<Bottleneck>(in_channels_, planes, block_stride));
      in_channels_ = planes * Bottleneck::kExpansion;
    }
  }
  return register_module(name, std::move(stage));
}

void ResNet::reset_parameters(std::uint64_t seed) {
  for (auto& [name, p] : named_parameters()) {
    Seed s{"init." + name, 0, seed};
    if (name.rfind("fc.", 0) == 0) {
      continue;  // reset_head
    } else if (p->value.dim() == 4) {
      init_kaiming_normal_fan_out(p->value, s);
    } else if (name.ends_with(".weight")) {
      p->value.fill(1.0);  // BatchNorm gamma
    } else {
      p->value.fill(0.0);  // BatchNorm beta
    }
  }
  reset_head(seed);
}

void ResNet::reset_head(std::uint64_t seed) {
  init_uniform_fan_in(fc_->weight().value, fc_->in_features(), Seed{"init.fc.weight", 0, seed});
  init_uniform_fan_in(fc_->bias().value, fc_->in_features(), Seed{"init.fc.bias", 0, seed});
}

Tensor ResNet::forward_features(const Tensor& x) {
  CTC_CHECK(x.dim() == 4 && x.size(1) == 3, spec_.name, ": input must be [N,3,H,W], got ",
            x.shape_str());
  CTC_CHECK(x.size(2) >= kMinInput && x.size(3) >= kMinInput, spec_.name, ": input must be at least ",
            kMinInput, "x", kMinInput, ", got ", x.size(2), "x", x.size(3));
  Tensor h = maxpool_->forward(relu_->forward(bn1_->forward(conv1_->forward(x))));
  for (Sequential* stage : stages_) h = stage->forward(h);
  return h;
}

Tensor ResNet::forward_head(const Tensor& features) { return fc_->forward(avgpool_->forward(features)); }

Tensor ResNet::backward_head(const Tensor& dlogits) { return avgpool_->backward(fc_->backward(dlogits)); }

Tensor ResNet::backward_features(const Tensor& dfeatures) {
  Tensor d = dfeatures;
  for (auto it = stages_.rbegin(); it != stages_.rend(); ++it) d = (*it)->backward(d);
  return conv1_->backward(bn1_->backward(relu_->backward(maxpool_->backward(d))));
}

std::string ResNet::describe() const {
  std::ostringstream out;
  out << spec_.name << "(classes=" << num_classes_ << ")";
  return out.str();
}

}  // namespace ctcscope
