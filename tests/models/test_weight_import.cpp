// Weight import by torchvision names: a model's own state_dict round trip,
// f64 conversion, shape errors that name the entry and both shapes, unknown
// and missing entries (errors, or skipped and reported when allowed), and the
// replacement of the 1000-class head by a fresh N-class one.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "models/registry.h"
#include "models/resnet.h"
#include "models/weight_import.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

StateDict state_of(Module& m) {
  StateDict out;
  for (auto& [name, t] : m.state_dict()) out.push_back({name, t->clone()});
  return out;
}

Tensor* entry(Module& m, const std::string& name) {
  for (auto& [n, t] : m.state_dict()) {
    if (n == name) return t;
  }
  return nullptr;
}

std::string error_of(Module& m, const StateDict& sd, const ImportOptions& o) {
  try {
    import_state_dict(m, sd, o);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

Tensor eval_logits(Module& m) {
  m.eval();
  return m.forward(random_normal({2, 3, 32, 32}, Seed{"import.x", 0}));
}

TEST(WeightImport, CopiesEveryParameterAndBuffer) {
  ResNet source(kResNet18, 3, 1), target(kResNet18, 3, 2);
  entry(source, "bn1.running_mean")->fill(0.25);  // buffers must travel too
  *entry(source, "layer2.0.bn1.num_batches_tracked")->data<std::int64_t>() = 123;
  StateDict sd = state_of(source);
  ImportReport r = import_state_dict(target, sd);
  EXPECT_EQ(r.imported, static_cast<std::int64_t>(sd.size()));
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty() && r.converted.empty() && r.head_replaced.empty());
  for (auto& [name, t] : target.state_dict()) {
    EXPECT_EQ(t->to_double_vector(), entry(source, name)->to_double_vector()) << name;
  }
  EXPECT_EQ(entry(target, "layer2.0.bn1.num_batches_tracked")->item(), 123);
  test::expect_close(eval_logits(target), eval_logits(source), test::tol::kStrictFp32, "logits");
}

TEST(WeightImport, ConvertsF64AndI32) {
  ResNet source(kResNet18, 2, 1), target(kResNet18, 2, 2);
  StateDict sd = state_of(source);
  std::size_t floats = 0;
  for (auto& e : sd) {
    if (e.tensor.dtype() == DType::f32) e.tensor = e.tensor.to(DType::f64), ++floats;
  }
  Tensor count = Tensor::empty({}, DType::i32);
  *count.data<std::int32_t>() = 9;
  for (auto& e : sd) {
    if (e.name == "bn1.num_batches_tracked") e.tensor = count;
  }
  ImportReport r = import_state_dict(target, sd);
  EXPECT_EQ(r.converted.size(), floats + 1);  // the f64 ones and one i32 count
  EXPECT_EQ(entry(target, "bn1.num_batches_tracked")->item(), 9);
  EXPECT_EQ(entry(target, "layer1.0.conv1.weight")->dtype(), DType::f32);
  EXPECT_EQ(entry(target, "layer1.0.conv1.weight")->to_double_vector(),
            entry(source, "layer1.0.conv1.weight")->to_double_vector());
}

TEST(WeightImport, ShapeMismatchNamesEntryAndBothShapes) {
  auto model = make_model("resnet50", 1000, 0);
  StateDict sd = state_of(*model);
  for (auto& e : sd) {
    if (e.name == "layer1.0.conv1.weight") e.tensor = Tensor::zeros({64, 64, 3, 3});
  }
  ImportOptions o;
  o.source = "resnet50.pth";
  EXPECT_EQ(error_of(*model, sd, o),
            "resnet50.pth: 'layer1.0.conv1.weight' has shape [64,64,3,3], model expects [64,64,1,1]");
}

TEST(WeightImport, RejectsAnIntegerWhereAFloatBelongs) {
  ResNet model(kResNet18, 2, 0);
  StateDict sd = state_of(model);
  for (auto& e : sd) {
    if (e.name == "bn1.bias") e.tensor = Tensor::zeros({64}, DType::i64);
  }
  EXPECT_NE(error_of(model, sd, {}).find("'bn1.bias' has element type i64, model expects f32"), std::string::npos);
}

TEST(WeightImport, MissingEntryIsAnErrorUnlessAllowed) {
  ResNet source(kResNet18, 2, 1), target(kResNet18, 2, 2);
  StateDict sd = state_of(source);
  std::erase_if(sd, [](const StateDictEntry& e) { return e.name == "layer4.1.bn2.running_var"; });
  const auto kept = entry(target, "layer4.1.bn2.running_var")->to_double_vector();
  const auto before = entry(target, "conv1.weight")->to_double_vector();
  ImportOptions o;
  o.source = "f.pth";
  std::string err = error_of(target, sd, o);
  EXPECT_NE(err.find("f.pth: 1 model entries are not in the file: 'layer4.1.bn2.running_var'"), std::string::npos)
      << err;
  EXPECT_EQ(entry(target, "conv1.weight")->to_double_vector(), before) << "a failed import must change nothing";

  o.allow_missing = true;
  ImportReport r = import_state_dict(target, sd, o);
  EXPECT_EQ(r.missing, std::vector<std::string>{"layer4.1.bn2.running_var"});
  EXPECT_EQ(entry(target, "layer4.1.bn2.running_var")->to_double_vector(), kept);
  EXPECT_NE(r.summary().find("not in the file (kept the model's value): layer4.1.bn2.running_var"),
            std::string::npos) << r.summary();
}

TEST(WeightImport, MissingNumBatchesTrackedIsToleratedAndReported) {
  ResNet source(kResNet18, 2, 1), target(kResNet18, 2, 2);
  StateDict sd = state_of(source);
  std::erase_if(sd, [](const StateDictEntry& e) { return e.name.ends_with("num_batches_tracked"); });
  ImportReport r = import_state_dict(target, sd);
  EXPECT_EQ(r.missing.size(), 20u);  // ResNet18 has 20 BatchNorm layers
  EXPECT_EQ(r.imported, static_cast<std::int64_t>(sd.size()));
}

TEST(WeightImport, UnknownEntryIsAnErrorUnlessAllowed) {
  ResNet source(kResNet18, 2, 1), target(kResNet18, 2, 2);
  StateDict sd = state_of(source);
  sd.push_back({"layer5.0.conv1.weight", Tensor::zeros({4, 4, 1, 1})});
  std::string err = error_of(target, sd, {});
  EXPECT_NE(err.find("1 entries the model does not have: 'layer5.0.conv1.weight'"), std::string::npos) << err;

  ImportOptions o;
  o.allow_unknown = true;
  ImportReport r = import_state_dict(target, sd, o);
  EXPECT_EQ(r.unknown, std::vector<std::string>{"layer5.0.conv1.weight"});
  EXPECT_EQ(r.imported, static_cast<std::int64_t>(sd.size()) - 1);
  EXPECT_NE(r.summary().find("skipped (not in the model): layer5.0.conv1.weight"), std::string::npos);
}

TEST(WeightImport, DuplicateNameIsAnError) {
  ResNet model(kResNet18, 2, 0);
  StateDict sd = state_of(model);
  sd.push_back(sd.front());
  EXPECT_NE(error_of(model, sd, {}).find("'conv1.weight' appears twice"), std::string::npos);
}

// Bad input policy: NaN or infinity in a weights file.
TEST(WeightImport, RefusesNaNNamingTheEntryAndIndexAndCopiesNothing) {
  ResNet source(kResNet18, 2, 1), target(kResNet18, 2, 2);
  StateDict sd = state_of(source);
  for (auto& e : sd) {
    if (e.name == "layer3.1.conv2.weight") e.tensor.data<float>()[17] = std::nanf("");
  }
  const auto before = entry(target, "conv1.weight")->to_double_vector();
  const std::string err = error_of(target, sd, {});
  EXPECT_NE(err.find("'layer3.1.conv2.weight' holds NaN at flat index 17"), std::string::npos) << err;
  EXPECT_EQ(entry(target, "conv1.weight")->to_double_vector(), before);  // nothing copied
}

TEST(WeightImport, RefusesInfinityInABatchNormStatistic) {
  ResNet source(kResNet18, 2, 1), target(kResNet18, 2, 2);
  StateDict sd = state_of(source);
  for (auto& e : sd) {
    if (e.name == "bn1.running_var") e.tensor.data<float>()[3] = -INFINITY;
  }
  const std::string err = error_of(target, sd, {});
  EXPECT_NE(err.find("'bn1.running_var' holds an infinity at flat index 3"), std::string::npos) << err;
}

// torchvision's densenet121-a639ec97.pth names ("denselayer1.norm.1.weight").
TEST(WeightImport, ReadsLegacyDenseNetNames) {
  auto source = make_model("densenet121", 3, 1);
  auto target = make_model("densenet121", 3, 2);
  StateDict sd;
  for (auto& [name, t] : source->state_dict()) {
    if (name.ends_with("num_batches_tracked")) continue;  // the 2017 file has none
    std::string n = name;
    for (const char* part : {".norm1.", ".norm2.", ".conv1.", ".conv2."}) {
      const auto at = n.find(part);
      if (at != std::string::npos && n.find("denselayer") != std::string::npos) n.insert(at + 5, ".");
    }
    sd.push_back({n, t->clone()});
  }
  EXPECT_EQ(sd[5].name, "features.denseblock1.denselayer1.norm.1.weight");
  ImportReport r = import_state_dict(*target, sd);
  EXPECT_EQ(r.renamed, 58 * (4 + 4 + 1 + 1));  // 58 dense layers: norm1, norm2 (4 each), conv1, conv2
  EXPECT_TRUE(r.unknown.empty()) << r.summary();
  for (const auto& n : r.missing) EXPECT_TRUE(n.ends_with("num_batches_tracked")) << n;
  EXPECT_EQ(entry(*target, "features.denseblock4.denselayer16.conv2.weight")->to_double_vector(),
            entry(*source, "features.denseblock4.denselayer16.conv2.weight")->to_double_vector());
}

// Names as timm/models/efficientnet.py and _efficientnet_blocks.py give them.
TEST(WeightImport, ReadsTimmEfficientNetNames) {
  auto source = make_model("efficientnet_b4", 3, 1);
  auto target = make_model("efficientnet_b4", 3, 2);
  const std::map<std::string, std::string> timm = {
      {"features.0.0.weight", "conv_stem.weight"},
      {"features.0.1.running_var", "bn1.running_var"},
      {"features.1.0.block.0.0.weight", "blocks.0.0.conv_dw.weight"},
      {"features.1.1.block.1.fc1.bias", "blocks.0.1.se.conv_reduce.bias"},
      {"features.1.0.block.2.1.weight", "blocks.0.0.bn2.weight"},
      {"features.4.5.block.0.0.weight", "blocks.3.5.conv_pw.weight"},
      {"features.4.5.block.1.1.num_batches_tracked", "blocks.3.5.bn2.num_batches_tracked"},
      {"features.7.1.block.2.fc2.weight", "blocks.6.1.se.conv_expand.weight"},
      {"features.7.1.block.3.0.weight", "blocks.6.1.conv_pwl.weight"},
      {"features.7.1.block.3.1.bias", "blocks.6.1.bn3.bias"},
      {"features.8.0.weight", "conv_head.weight"},
      {"features.8.1.weight", "bn2.weight"},
      {"classifier.1.weight", "classifier.weight"}};
  // Rename our own state_dict with timm's pattern, checked on the pairs above.
  auto to_timm = [](const std::string& n) {
    static const std::map<std::string, std::string> top = {{"features.0.0", "conv_stem"}, {"features.0.1", "bn1"},
                                                           {"features.8.0", "conv_head"}, {"features.8.1", "bn2"},
                                                           {"classifier.1", "classifier"}};
    static const std::map<std::string, std::string> first = {{"block.0.0", "conv_dw"}, {"block.0.1", "bn1"},
                                                             {"block.1.fc1", "se.conv_reduce"},
                                                             {"block.1.fc2", "se.conv_expand"},
                                                             {"block.2.0", "conv_pw"}, {"block.2.1", "bn2"}};
    static const std::map<std::string, std::string> later = {
        {"block.0.0", "conv_pw"}, {"block.0.1", "bn1"}, {"block.1.0", "conv_dw"}, {"block.1.1", "bn2"},
        {"block.2.fc1", "se.conv_reduce"}, {"block.2.fc2", "se.conv_expand"}, {"block.3.0", "conv_pwl"},
        {"block.3.1", "bn3"}};
    const std::string module = n.substr(0, n.rfind('.')), leaf = n.substr(n.rfind('.') + 1);
    if (top.count(module)) return top.at(module) + "." + leaf;
    // features.S.B.block.X.Y
    const auto s1 = n.find('.', 9), s2 = n.find('.', s1 + 1);
    const int stage = std::stoi(n.substr(9, s1 - 9)) - 1;
    const std::string block = n.substr(s1 + 1, s2 - s1 - 1), inner = module.substr(s2 + 1);
    const auto& table = stage == 0 ? first : later;
    return "blocks." + std::to_string(stage) + "." + block + "." + table.at(inner) + "." + leaf;
  };
  for (const auto& [tv, t] : timm) EXPECT_EQ(to_timm(tv), t) << tv;
  StateDict sd;
  for (auto& [name, t] : source->state_dict()) sd.push_back({to_timm(name), t->clone()});
  ImportReport r = import_state_dict(*target, sd);
  EXPECT_EQ(r.renamed, r.imported);
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty()) << r.summary();
  for (const auto& [tv, t] : timm) {
    EXPECT_EQ(entry(*target, tv)->to_double_vector(), entry(*source, tv)->to_double_vector()) << tv;
  }
}

TEST(WeightImport, ReplacesTheImageNetHeadByAFreshOne) {
  ResNet imagenet(kResNet18, 1000, 1);
  StateDict sd = state_of(imagenet);
  EXPECT_EQ(state_dict_head_classes(sd), 1000);

  ResNet target(kResNet18, 2, 99);
  std::string err = error_of(target, sd, {});
  EXPECT_NE(err.find("'fc.weight' has shape [1000,512], model expects [2,512]"), std::string::npos) << err;

  ImportOptions o;
  o.replace_head = true;
  o.head_seed = 5;
  ImportReport r = import_state_dict(target, sd, o);
  EXPECT_EQ(r.head_replaced, (std::vector<std::string>{"fc.weight", "fc.bias"}));
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty());
  EXPECT_EQ(r.imported, static_cast<std::int64_t>(sd.size()) - 2);
  EXPECT_EQ(r.head_note, "fc: 1000 -> 2 classes, initialised as nn.Linear's default from seed 5");
  // The head is what a fresh 2-class model from seed 5 has; the body is the file's.
  ResNet fresh(kResNet18, 2, 5);
  EXPECT_EQ(target.fc().weight().value.to_double_vector(), fresh.fc().weight().value.to_double_vector());
  EXPECT_EQ(target.fc().bias().value.to_double_vector(), fresh.fc().bias().value.to_double_vector());
  EXPECT_EQ(entry(target, "layer3.1.conv2.weight")->to_double_vector(),
            entry(imagenet, "layer3.1.conv2.weight")->to_double_vector());
  const double bound = 1.0 / std::sqrt(512.0);
  for (double v : target.fc().weight().value.to_double_vector()) EXPECT_LE(std::fabs(v), bound);
}

TEST(WeightImport, HeadNamesPerArchitecture) {
  EXPECT_EQ(model_head_name("resnet18"), "fc");
  EXPECT_EQ(model_head_name("resnet50"), "fc");
  EXPECT_EQ(model_head_name("densenet121"), "classifier");
  EXPECT_EQ(model_head_name("efficientnet_b4"), "classifier.1");
  EXPECT_THROW(model_head_name("vgg16"), Error);
}

// An ImageNet-shaped state_dict of our own 1000-class model imported into a
// 2-class one: the architecture's head is replaced as make_model initialises
// it, the body is the file's, and the report names what was replaced.
void expect_head_replaced(const std::string& arch, const std::string& head, std::int64_t features,
                          const std::string& body_entry) {
  auto imagenet = make_model(arch, 1000, 1);
  StateDict sd = state_of(*imagenet);
  EXPECT_EQ(state_dict_head_classes(sd, model_head_name(arch)), 1000);

  auto target = make_model(arch, 2, 99);
  ImportOptions keep_head;
  keep_head.model = arch;
  std::string err = error_of(*target, sd, keep_head);
  EXPECT_NE(err.find("'" + head + ".weight' has shape [1000," + std::to_string(features) + "], model expects [2," +
                     std::to_string(features) + "] (another number of classes"),
            std::string::npos)
      << err;

  ImportOptions o;
  o.replace_head = true;
  o.model = arch;
  o.head_seed = 5;
  ImportReport r = import_state_dict(*target, sd, o);
  EXPECT_EQ(r.head_replaced, (std::vector<std::string>{head + ".weight", head + ".bias"}));
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty());
  EXPECT_EQ(r.imported, static_cast<std::int64_t>(sd.size()) - 2);
  EXPECT_EQ(r.head_note, head + ": 1000 -> 2 classes, initialised as " + arch + "'s head from seed 5");
  EXPECT_NE(r.summary().find("new head: " + r.head_note), std::string::npos) << r.summary();

  auto fresh = make_model(arch, 2, 5);
  for (const std::string& name : {head + ".weight", head + ".bias"}) {
    EXPECT_EQ(entry(*target, name)->to_double_vector(), entry(*fresh, name)->to_double_vector()) << name;
  }
  EXPECT_EQ(entry(*target, body_entry)->to_double_vector(), entry(*imagenet, body_entry)->to_double_vector());
  EXPECT_NE(entry(*target, body_entry)->to_double_vector(), entry(*fresh, body_entry)->to_double_vector());
}

TEST(WeightImport, ReplacesDenseNet121Classifier) {
  expect_head_replaced("densenet121", "classifier", 1024, "features.denseblock3.denselayer5.conv2.weight");
}

TEST(WeightImport, ReplacesEfficientNetB4Classifier1) {
  expect_head_replaced("efficientnet_b4", "classifier.1", 1792, "features.4.1.block.0.0.weight");
}

TEST(WeightImport, ModelOptionNamesResNetHeadToo) {
  ImportOptions o;
  o.replace_head = true;
  o.model = "resnet18";
  o.head_seed = 3;
  auto imagenet = make_model("resnet18", 1000, 1);
  auto target = make_model("resnet18", 2, 99);
  ImportReport r = import_state_dict(*target, state_of(*imagenet), o);
  EXPECT_EQ(r.head_replaced, (std::vector<std::string>{"fc.weight", "fc.bias"}));
  auto fresh = make_model("resnet18", 2, 3);
  EXPECT_EQ(entry(*target, "fc.weight")->to_double_vector(), entry(*fresh, "fc.weight")->to_double_vector());
}

}  // namespace
}  // namespace ctcscope
