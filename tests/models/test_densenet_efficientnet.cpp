// DenseNet121 and EfficientNet-B4 (their state_dict layout is checked with
// the ResNets' in test_resnet.cpp): parameter counts, output shapes at 64x64 and 148x148 in
// eval mode, initialisation as torchvision, and the registry.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "models/densenet.h"
#include "models/efficientnet.h"
#include "models/registry.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(DenseNetEfficientNet, ParameterCountsMatchTorchvision) {
  // sum(p.numel() for p in torchvision.models.<name>(num_classes=2).parameters())
  EXPECT_EQ(make_model("densenet121", 2)->parameter_count(), 6955906);
  EXPECT_EQ(make_model("efficientnet_b4", 2)->parameter_count(), 17552202);
}

class ArchShapes : public ::testing::TestWithParam<const char*> {};

TEST_P(ArchShapes, EvalOutputShapesAt64And148) {
  auto model = make_model(GetParam(), 3, 1);
  model->eval();
  for (std::int64_t size : {64, 148}) {
    Tensor y = model->forward(random_normal({2, 3, size, size}, Seed{"arch.in", static_cast<std::uint64_t>(size)}));
    EXPECT_EQ(y.shape(), (Shape{2, 3})) << size;
    for (double v : y.to_double_vector()) EXPECT_TRUE(std::isfinite(v)) << size;
  }
  EXPECT_THROW(model->forward(Tensor::zeros({1, 3, 31, 64})), Error);
  EXPECT_THROW(model->forward(Tensor::zeros({1, 1, 64, 64})), Error);
}

INSTANTIATE_TEST_SUITE_P(All, ArchShapes, ::testing::Values("densenet121", "efficientnet_b4"));

struct Stats {
  double mean, std;
};
Stats stats(const std::vector<double>& v) {
  double sum = 0, sq = 0;
  for (double x : v) sum += x, sq += x * x;
  const double mean = sum / double(v.size());
  return {mean, std::sqrt(sq / double(v.size()) - mean * mean)};
}

TEST(DenseNet, InitialisationFollowsTorchvision) {
  DenseNet model(kDenseNet121, 2, 7);
  for (auto& [name, p] : model.named_parameters()) {
    auto v = p->value.to_double_vector();
    if (name == "features.denseblock1.denselayer1.conv2.weight") {
      // kaiming_normal_ (fan_in): std = sqrt(2 / (128*3*3))
      Stats s = stats(v);
      EXPECT_NEAR(s.mean, 0.0, 0.01);
      EXPECT_NEAR(s.std, std::sqrt(2.0 / 1152.0), 0.03 * std::sqrt(2.0 / 1152.0));
    } else if (name == "features.norm5.weight") {
      for (double x : v) EXPECT_EQ(x, 1.0);
    } else if (name == "classifier.weight") {
      for (double x : v) EXPECT_LE(std::fabs(x), 1.0 / std::sqrt(1024.0));
    } else if (name == "classifier.bias" || name == "features.norm5.bias") {
      for (double x : v) EXPECT_EQ(x, 0.0);
    }
  }
}

TEST(EfficientNet, InitialisationFollowsTorchvision) {
  EfficientNet model(kEfficientNetB4, 5, 7);
  for (auto& [name, p] : model.named_parameters()) {
    auto v = p->value.to_double_vector();
    if (name == "features.2.0.block.0.0.weight") {
      // kaiming_normal_(fan_out): std = sqrt(2 / (144*1*1))
      Stats s = stats(v);
      EXPECT_NEAR(s.mean, 0.0, 0.01);
      EXPECT_NEAR(s.std, std::sqrt(2.0 / 144.0), 0.05 * std::sqrt(2.0 / 144.0));
    } else if (name == "features.2.0.block.2.fc1.bias" || name == "classifier.1.bias") {
      for (double x : v) EXPECT_EQ(x, 0.0);
    } else if (name == "classifier.1.weight") {
      // U(-1/sqrt(out), 1/sqrt(out)) with out = 5
      double m = 0;
      for (double x : v) m = std::max(m, std::fabs(x));
      EXPECT_LE(m, 1.0 / std::sqrt(5.0));
      EXPECT_GT(m, 0.9 / std::sqrt(5.0));
    }
  }
}

TEST(EfficientNet, StochasticDepthRisesOverTheBlocks) {
  EfficientNet model(kEfficientNetB4, 2);
  // torchvision: 0.2 * block_id / 32 (32 blocks); features.1.0 is block 0, features.7.1 block 31.
  auto* first = dynamic_cast<MBConv*>(model.find("features.1.0"));
  auto* second = dynamic_cast<MBConv*>(model.find("features.1.1"));
  auto* last = dynamic_cast<MBConv*>(model.find("features.7.1"));
  ASSERT_TRUE(first && second && last);
  EXPECT_DOUBLE_EQ(first->stochastic_depth().p(), 0.0);
  EXPECT_DOUBLE_EQ(second->stochastic_depth().p(), 0.2 / 32);
  EXPECT_DOUBLE_EQ(last->stochastic_depth().p(), 0.2 * 31 / 32);
  EXPECT_FALSE(first->residual());
  EXPECT_TRUE(second->residual());
  EXPECT_NE(model.find("features.8"), nullptr);
  EXPECT_EQ(model.find("features.9"), nullptr);
}

TEST(ModelRegistry, ListsDenseNetAndEfficientNet) {
  auto names = model_names();
  EXPECT_NE(std::find(names.begin(), names.end(), "densenet121"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "efficientnet_b4"), names.end());
  EXPECT_TRUE(is_model_name("densenet121"));
  EXPECT_TRUE(is_model_name("efficientnet_b4"));
}

}  // namespace
}  // namespace ctcscope
