// EfficientNet: torchvision's MBConv table (expand, kernel, stride, in, out,
// layers) scaled by width and depth, stochastic depth rising linearly from 0
// over the blocks to stochastic_depth_p (block i of T: p * i / T).
#include "models/efficientnet.h"

#include <cmath>
#include <iterator>
#include <sstream>

namespace ctcscope {
namespace {

struct StageRow {
  double expand;
  std::int64_t kernel, stride, in, out, layers;
};

// torchvision.models.efficientnet._efficientnet_conf("efficientnet_b*").
constexpr StageRow kStages[] = {{1, 3, 1, 32, 16, 1},  {6, 3, 2, 16, 24, 2},  {6, 5, 2, 24, 40, 2},
                                {6, 3, 2, 40, 80, 3},  {6, 5, 1, 80, 112, 3}, {6, 5, 2, 112, 192, 4},
                                {6, 3, 1, 192, 320, 1}};

}  // namespace

EfficientNet::EfficientNet(const EfficientNetSpec& spec, std::int64_t num_classes, std::uint64_t seed)
    : spec_(spec), num_classes_(num_classes) {
  CTC_CHECK(num_classes >= 2, spec.name, ": needs at least 2 classes, got ", num_classes);
  auto width = [&](std::int64_t c) { return make_divisible(double(c) * spec.width_mult); };
  auto depth = [&](std::int64_t n) { return static_cast<std::int64_t>(std::ceil(double(n) * spec.depth_mult)); };
  std::int64_t total_blocks = 0;
  for (const StageRow& r : kStages) total_blocks += depth(r.layers);

  auto features = std::make_unique<Sequential>();
  auto& stem = features->add(make_conv_norm_silu(3, width(kStages[0].in), 3, 2, 1, true, spec.bn_eps));
  static_cast<Conv2d&>(stem[0]).set_input_grad(false);
  std::int64_t block_id = 0;
  for (std::size_t s = 0; s < std::size(kStages); ++s) {
    const StageRow& r = kStages[s];
    auto stage = std::make_unique<Sequential>();
    for (std::int64_t b = 0; b < depth(r.layers); ++b) {
      MBConvOptions o;
      o.expand_ratio = r.expand;
      o.kernel = r.kernel;
      o.stride = b == 0 ? r.stride : 1;
      o.in_channels = b == 0 ? width(r.in) : width(r.out);
      o.out_channels = width(r.out);
      o.stochastic_depth_p = spec.stochastic_depth_p * double(block_id) / double(total_blocks);
      o.bn_eps = spec.bn_eps;
      o.seed = Seed{"stochastic_depth.features." + std::to_string(s + 1) + "." + std::to_string(b), 0, seed};
      stage->add(std::make_unique<MBConv>(o));
      ++block_id;
    }
    features->add(std::move(stage));
  }
  const std::int64_t last_in = width(kStages[std::size(kStages) - 1].out), last_out = 4 * last_in;
  features->add(make_conv_norm_silu(last_in, last_out, 1, 1, 1, true, spec.bn_eps));
  features_ = &register_module("features", std::move(features));
  avgpool_ = &register_module("avgpool", std::make_unique<GlobalAvgPool>());
  auto classifier = std::make_unique<Sequential>();
  classifier->add(std::make_unique<Dropout>(spec.dropout, Seed{"dropout.classifier.0", 0, seed}));
  linear_ = &classifier->add(std::make_unique<Linear>(last_out, num_classes));
  classifier_ = &register_module("classifier", std::move(classifier));
  reset_parameters(seed);
}

void EfficientNet::reset_parameters(std::uint64_t seed) {
  for (auto& [name, p] : named_parameters()) {
    Seed s{"init." + name, 0, seed};
    if (name.rfind("classifier.", 0) == 0) {
      continue;  // reset_head
    } else if (p->value.dim() == 4) {
      init_kaiming_normal_fan_out(p->value, s);
    } else if (name.ends_with(".weight")) {
      p->value.fill(1.0);  // BatchNorm gamma
    } else {
      p->value.fill(0.0);  // BatchNorm beta, the SE convolutions' bias
    }
  }
  reset_head(seed);
}

void EfficientNet::reset_head(std::uint64_t seed) {
  const double range = 1.0 / std::sqrt(double(linear_->out_features()));
  fill_uniform(linear_->weight().value, Seed{"init.classifier.1.weight", 0, seed}, -range, range);
  linear_->bias().value.fill(0.0);
}

Tensor EfficientNet::forward_features(const Tensor& x) {
  CTC_CHECK(x.dim() == 4 && x.size(1) == 3, spec_.name, ": input must be [N,3,H,W], got ", x.shape_str());
  CTC_CHECK(x.size(2) >= kMinInput && x.size(3) >= kMinInput, spec_.name, ": input must be at least ",
            kMinInput, "x", kMinInput, ", got ", x.size(2), "x", x.size(3));
  return features_->forward(x);
}

Tensor EfficientNet::backward_features(const Tensor& dfeatures) { return features_->backward(dfeatures); }

Tensor EfficientNet::forward_head(const Tensor& features) {
  return classifier_->forward(avgpool_->forward(features));
}

Tensor EfficientNet::backward_head(const Tensor& dlogits) {
  return avgpool_->backward(classifier_->backward(dlogits));
}

std::string EfficientNet::describe() const {
  std::ostringstream out;
  out << spec_.name << "(classes=" << num_classes_ << ")";
  return out.str();
}

}  // namespace ctcscope
