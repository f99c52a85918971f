// ResNet18/34/50: torchvision's state_dict layout (names, shapes, order; the
// same check for DenseNet121 and EfficientNet-B4), output shapes over input
// sizes, initialisation statistics, and errors.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <sstream>

#include "models/registry.h"
#include "models/resnet.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// "name d0,d1,..." lines written by tools/fixtures/torchvision_names.py.
std::vector<std::pair<std::string, Shape>> read_layout(const std::string& model) {
  std::string path = std::string(CTC_SOURCE_DIR) + "/tests/models/fixtures/" + model + "_state_dict.txt";
  std::ifstream in(path);
  EXPECT_TRUE(in) << "missing fixture " << path;
  std::vector<std::pair<std::string, Shape>> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, dims;
    fields >> name >> dims;
    Shape shape;
    std::istringstream ds(dims);
    for (std::string d; std::getline(ds, d, ',');) shape.push_back(std::stoll(d));
    out.emplace_back(name, shape);
  }
  return out;
}

class TorchvisionLayout : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchvisionLayout, StateDictMatchesTorchvision) {
  auto expected = read_layout(GetParam());
  ASSERT_FALSE(expected.empty());
  auto model = make_model(GetParam(), 2);
  auto state = model->state_dict();
  ASSERT_EQ(state.size(), expected.size());
  for (std::size_t i = 0; i < state.size(); ++i) {
    EXPECT_EQ(state[i].name, expected[i].first) << "entry " << i;
    EXPECT_EQ(state[i].item->shape(), expected[i].second) << state[i].name;
  }
}

INSTANTIATE_TEST_SUITE_P(All, TorchvisionLayout,
                         ::testing::Values("resnet18", "resnet34", "resnet50", "densenet121", "efficientnet_b4"));

TEST(ResNet, ParameterCountsMatchTorchvision) {
  // sum(p.numel() for p in torchvision.models.<name>(num_classes=2).parameters())
  EXPECT_EQ(make_model("resnet18", 2)->parameter_count(), 11177538);
  EXPECT_EQ(make_model("resnet34", 2)->parameter_count(), 21285698);
  EXPECT_EQ(make_model("resnet50", 2)->parameter_count(), 23512130);
}

TEST(ResNet, AnyInputFrom32Up) {
  ResNet model(kResNet18, 3, 1);
  model.eval();
  for (std::int64_t size : {32, 33, 47, 64}) {
    Tensor y = model.forward(random_normal({2, 3, size, size + 3}, Seed{"resnet.in", static_cast<std::uint64_t>(size)}));
    EXPECT_EQ(y.shape(), (Shape{2, 3})) << size;
    for (double v : y.to_double_vector()) EXPECT_TRUE(std::isfinite(v));
  }
  EXPECT_THROW(model.forward(Tensor::zeros({1, 3, 31, 64})), Error);
  EXPECT_THROW(model.forward(Tensor::zeros({1, 1, 64, 64})), Error);
}

TEST(ResNet, InitialisationFollowsTorchvision) {
  ResNet model(kResNet50, 2, 7);
  for (auto& [name, p] : model.named_parameters()) {
    auto v = p->value.to_double_vector();
    if (name == "layer1.0.conv2.weight") {
      // kaiming_normal_(fan_out): std = sqrt(2 / (64*3*3))
      double sum = 0, sq = 0;
      for (double x : v) sum += x, sq += x * x;
      double mean = sum / v.size(), std = std::sqrt(sq / v.size() - mean * mean);
      EXPECT_NEAR(mean, 0.0, 0.01);
      EXPECT_NEAR(std, std::sqrt(2.0 / 576.0), 0.03 * std::sqrt(2.0 / 576.0));
    } else if (name == "layer1.0.bn1.weight") {
      for (double x : v) EXPECT_EQ(x, 1.0);
    } else if (name == "layer1.0.bn1.bias") {
      for (double x : v) EXPECT_EQ(x, 0.0);
    } else if (name == "fc.weight") {
      for (double x : v) EXPECT_LE(std::fabs(x), 1.0 / std::sqrt(2048.0));
    }
  }
  // Same seed, same weights; another seed, other weights.
  ResNet again(kResNet50, 2, 7), other(kResNet50, 2, 8);
  auto a = model.named_parameters()[0].item->value.to_double_vector();
  EXPECT_EQ(a, again.named_parameters()[0].item->value.to_double_vector());
  EXPECT_NE(a, other.named_parameters()[0].item->value.to_double_vector());
}

TEST(ModelRegistry, UnknownNameListsKnownOnes) {
  try {
    make_model("resnet51", 2);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("resnet50"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ctcscope
