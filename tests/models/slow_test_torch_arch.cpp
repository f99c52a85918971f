// DenseNet121 and EfficientNet-B4 against torchvision on the same seeded
// random weights (BatchNorm statistics randomised too): the eval-mode logits
// must match PyTorch's to 1e-4 relative. tools/fixtures/torch_reference_arch.py
// writes the state_dicts (28 and 70 MB, not committed), the input and
// PyTorch's logits at test time, once per version of the script (its sha256
// names the folder) under $CTC_TORCH_REFERENCE_DIR, else
// <temp>/ctcscope_torch_reference_arch. Skips when the test Python (test::python(): $CTC_PYTHON, else
// /usr/bin/python3) has no torch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "layers/cross_entropy_loss.h"
#include "models/densenet.h"
#include "models/efficientnet.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "models/weight_import.h"
#include "formats/state_dict.h"
#include "base/sha256.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

struct Reference {
  std::string dir, skip_reason;

  static Reference& get() {
    static Reference r = make();
    return r;
  }

  static Reference make() {
    Reference r;
    const std::string py = test::python();
    if (std::system((py + " -c 'import torch, torchvision' >/dev/null 2>&1").c_str()) != 0) {
      r.skip_reason = py + " with torch and torchvision is needed (Debian: python3-torch python3-torchvision)";
      return r;
    }
    const std::string script = std::string(CTC_SOURCE_DIR) + "/tools/fixtures/torch_reference_arch.py";
    const std::string shared = std::string(CTC_SOURCE_DIR) + "/tools/fixtures/torch_reference.py";
    const char* root_env = std::getenv("CTC_TORCH_REFERENCE_DIR");
    const fs::path root = (root_env ? fs::path(root_env) : fs::temp_directory_path()) /
                          "ctcscope_torch_reference_arch";
    const std::string key = sha256_hex(sha256_file_hex(script) + sha256_file_hex(shared) + py).substr(0, 16);
    const fs::path dir = root / key;
    if (!fs::exists(dir / "complete")) {
      const fs::path tmp = root / (key + ".tmp." + std::to_string(::getpid()));
      fs::create_directories(tmp);
      const std::string cmd = py + " " + script + " " + tmp.string() + " > " + (tmp / "log.txt").string() + " 2>&1";
      if (std::system(cmd.c_str()) != 0) {
        r.skip_reason = "tools/fixtures/torch_reference_arch.py failed, see " + (tmp / "log.txt").string();
        ADD_FAILURE() << r.skip_reason;
        return r;
      }
      std::ofstream(tmp / "complete") << "written by " << script << "\n";
      std::error_code ec;
      fs::rename(tmp, dir, ec);
      if (ec) fs::remove_all(tmp, ec);  // another process finished first
      for (const auto& old : fs::directory_iterator(root, ec)) {
        const std::string name = old.path().filename().string();
        if (name != key && name.find(".tmp.") == std::string::npos) fs::remove_all(old.path(), ec);
      }
    }
    r.dir = dir.string() + "/";
    return r;
  }
};

Tensor read_one(const std::string& path, const std::string& name) {
  for (auto& e : read_safetensors(path).tensors) {
    if (e.name == name) return e.tensor;
  }
  ADD_FAILURE() << path << " has no " << name;
  return Tensor();
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_double_vector()) m = std::max(m, std::fabs(v));
  return m;
}

class TorchArchLogits : public ::testing::TestWithParam<const char*> {};

// rtol 1e-4; atol 1e-5 of the largest logit, as slow_test_torch_reference.cpp
// (fp32 rounding in a deep network is a share of the magnitudes summed).
TEST_P(TorchArchLogits, EvalLogitsMatchTorchvision) {
  const Reference& ref = Reference::get();
  if (!ref.skip_reason.empty()) GTEST_SKIP() << ref.skip_reason;
  const std::string m = GetParam();
  auto model = make_model(m, 1000);
  ImportReport r = import_weights(*model, ref.dir + m + ".safetensors");
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty() && r.converted.empty()) << r.summary();
  model->eval();
  Tensor x = read_one(ref.dir + "input.safetensors", "input");
  Tensor want = read_one(ref.dir + m + "_eval.safetensors", "logits");
  test::expect_close(model->forward(x), want, {1e-5 * max_abs(want), 1e-4}, m + " logits");
}

INSTANTIATE_TEST_SUITE_P(All, TorchArchLogits, ::testing::Values("densenet121", "efficientnet_b4"));

// torchvision's published densenet121-a639ec97.pth names its dense layers'
// BatchNorms and convolutions "norm.1", "conv.2" and has no
// num_batches_tracked; PyTorch wrote this file under those names.
TEST(TorchArchLogits, LegacyDenseNetNamesImportAsTorchvisionLoadsThem) {
  const Reference& ref = Reference::get();
  if (!ref.skip_reason.empty()) GTEST_SKIP() << ref.skip_reason;
  auto model = make_model("densenet121", 1000);
  ImportReport r = import_weights(*model, ref.dir + "densenet121_legacy.pth");
  // 58 dense layers, each with norm1 and norm2 (4 entries) and conv1, conv2 (1).
  EXPECT_EQ(r.renamed, 58 * (4 + 4 + 1 + 1)) << r.summary();
  EXPECT_TRUE(r.unknown.empty()) << r.summary();
  for (const auto& n : r.missing) EXPECT_TRUE(n.ends_with("num_batches_tracked")) << n;
  model->eval();
  Tensor x = read_one(ref.dir + "input.safetensors", "input");
  Tensor want = read_one(ref.dir + "densenet121_eval.safetensors", "logits");
  test::expect_close(model->forward(x), want, {1e-5 * max_abs(want), 1e-4}, "densenet121 legacy logits");
}

// timm's efficientnet_b4 names (conv_stem, blocks.S.B.conv_pw, ...) for the
// same tensors, written by PyTorch.
TEST(TorchArchLogits, TimmEfficientNetNamesImportAsTorchvisionNames) {
  const Reference& ref = Reference::get();
  if (!ref.skip_reason.empty()) GTEST_SKIP() << ref.skip_reason;
  auto model = make_model("efficientnet_b4", 1000);
  ImportReport r = import_weights(*model, ref.dir + "efficientnet_b4_timm.safetensors");
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty()) << r.summary();
  EXPECT_EQ(r.renamed_from, "timm's EfficientNet names");
  EXPECT_EQ(r.renamed, r.imported);  // every entry has another name in timm
  model->eval();
  Tensor x = read_one(ref.dir + "input.safetensors", "input");
  Tensor want = read_one(ref.dir + "efficientnet_b4_eval.safetensors", "logits");
  test::expect_close(model->forward(x), want, {1e-5 * max_abs(want), 1e-4}, "efficientnet_b4 (timm names) logits");
}

// Gradients of narrow variants (the same code with few channels and blocks,
// 3 classes, dropout and stochastic depth 0) against PyTorch: the loss,
// every parameter's gradient and every weight after one AdamW step, in
// float64 on both sides so that the comparison is of the two
// implementations, not of float32 rounding in a deep network (1e-8 relative).
std::unique_ptr<Module> narrow_model(const std::string& name) {
  if (name == "densenet_narrow") return std::make_unique<DenseNet>(DenseNetSpec{"densenet_narrow", 8, {2, 2, 2, 2}, 16, 2}, 3);
  return std::make_unique<EfficientNet>(EfficientNetSpec{"efficientnet_narrow", 0.25, 0.25, 0.0, 0.0}, 3);
}

class TorchArchTrainStep : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchArchTrainStep, LossGradientsAndAdamWStepMatchPyTorchInF64) {
  const Reference& ref = Reference::get();
  if (!ref.skip_reason.empty()) GTEST_SKIP() << ref.skip_reason;
  const std::string m = GetParam();
  std::map<std::string, Tensor> want;
  StateDict state;
  for (auto& e : read_safetensors(ref.dir + m + "_train_f64.safetensors").tensors) {
    if (e.name.rfind("state.", 0) == 0) state.push_back({e.name.substr(6), e.tensor});
    want[e.name] = e.tensor;
  }
  auto model = narrow_model(m);
  model->to_dtype(DType::f64);
  ImportReport r = import_state_dict(*model, state);
  ASSERT_TRUE(r.unknown.empty() && r.missing.empty()) << r.summary();

  model->train();
  model->zero_grad();
  AdamW optimizer(model->named_parameters());
  CrossEntropyLoss criterion;
  const double loss = criterion.forward(model->forward(want.at("input")), want.at("labels"));
  model->backward(criterion.backward());
  EXPECT_NEAR(loss, want.at("loss").item(), 1e-10 * std::fabs(want.at("loss").item()));
  std::size_t params = 0;
  for (auto& [name, p] : model->named_parameters()) {
    const Tensor& g = want.at("grad." + name);
    test::expect_close(p->grad, g, {1e-10 * max_abs(g) + 1e-14, 1e-8}, m + " grad." + name);
    ++params;
  }
  optimizer.step();
  // The first AdamW step moves a weight by lr * g / (|g| + eps): smooth in g,
  // so float64 gradients equal to ~1e-14 give weights equal to ~1e-9.
  for (auto& [name, p] : model->named_parameters()) {
    test::expect_close(p->value, want.at("param." + name), {1e-8, 1e-8}, m + " param." + name);
  }
  std::printf("%s: %zu parameters' gradients and updated weights matched\n", m.c_str(), params);
}

INSTANTIATE_TEST_SUITE_P(Narrow, TorchArchTrainStep, ::testing::Values("densenet_narrow", "efficientnet_narrow"));

}  // namespace
}  // namespace ctcscope
