// ctcscope against PyTorch on the same weights: torchvision ResNet18/34/50
// with seeded random weights (BatchNorm statistics randomised too), written by
// tools/fixtures/torch_reference.py as torch.save zip, legacy and safetensors
// files at test time (45-100 MB each, so not committed; see Reference). The
// eval-mode logits must match the committed fixtures for every file kind; one
// training step of ResNet18 and ResNet50 (loss, every gradient, every weight
// after AdamW) must match PyTorch's. Skips when the test Python (test::python(): $CTC_PYTHON, else
// /usr/bin/python3) has no torch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include <unistd.h>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "models/weight_import.h"
#include "optim/adamw.h"
#include "base/sha256.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(CTC_SOURCE_DIR) + "/tests/models/fixtures/";

// The reference folder: generated once per version of the script (its
// sha256 names the folder) under $CTC_TORCH_REFERENCE_DIR, else
// <temp>/ctcscope_torch_reference, and kept for later runs, since ctest runs
// each test in its own process (about 1.3 GB; older versions are removed).
// Written under a temporary name and renamed when complete, so processes
// running side by side never read a half-written folder. Empty, with
// skip_reason set, when PyTorch is not there.
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
    const std::string script = std::string(CTC_SOURCE_DIR) + "/tools/fixtures/torch_reference.py";
    const char* root_env = std::getenv("CTC_TORCH_REFERENCE_DIR");
    // Its own subfolder under $CTC_TORCH_REFERENCE_DIR too: the clean-up below
    // removes every other entry of `root`, and the arch test's folder lies beside.
    const fs::path root = (root_env ? fs::path(root_env) : fs::temp_directory_path()) / "ctcscope_torch_reference";
    const std::string key = sha256_hex(sha256_file_hex(script) + py).substr(0, 16);
    const fs::path dir = root / key;
    if (!fs::exists(dir / "complete")) {
      const fs::path tmp = root / (key + ".tmp." + std::to_string(::getpid()));
      fs::create_directories(tmp);
      std::string cmd = py;
      cmd.append(" ").append(script).append(" ").append(tmp.string());
      cmd.append(" > ").append((tmp / "log.txt").string()).append(" 2>&1");
      if (std::system(cmd.c_str()) != 0) {
        r.skip_reason = "tools/fixtures/torch_reference.py failed, see " + (tmp / "log.txt").string();
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

#define CTC_REQUIRE_TORCH()                                                  \
  do {                                                                       \
    if (!Reference::get().skip_reason.empty()) GTEST_SKIP() << Reference::get().skip_reason; \
  } while (0)

std::map<std::string, Tensor> read_map(const std::string& path) {
  std::map<std::string, Tensor> out;
  for (auto& e : read_safetensors(path).tensors) out[e.name] = e.tensor;
  return out;
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_double_vector()) m = std::max(m, std::fabs(v));
  return m;
}

// rtol 1e-4 as the issue asks. The atol is relative to the tensor's largest
// element: fp32 rounding in a deep network is a share of the magnitudes
// summed, so an element near zero (a logit, a gradient) carries the rounding
// of its large neighbours; 1e-5 of the largest element covers that.
test::Tolerance scaled(const Tensor& ref) { return {1e-5 * max_abs(ref), 1e-4}; }
// The same in float64, where a step of both implementations rounds at 1e-16.
test::Tolerance scaled_f64(const Tensor& ref) { return {1e-10 * max_abs(ref), 1e-8}; }

struct Case {
  const char* model;
  const char* file;  // in the reference folder
};
void PrintTo(const Case& c, std::ostream* os) { *os << c.file; }

class TorchLogits : public ::testing::TestWithParam<Case> {};

TEST_P(TorchLogits, EvalLogitsMatchTorchvision) {
  CTC_REQUIRE_TORCH();
  const Case c = GetParam();
  auto model = make_model(c.model, 1000);
  ImportReport r = import_weights(*model, Reference::get().dir + c.file);
  EXPECT_TRUE(r.unknown.empty() && r.missing.empty() && r.converted.empty()) << r.summary();
  model->eval();
  Tensor x = read_map(kFixtures + "eval_input.safetensors").at("input");
  Tensor want = read_map(kFixtures + std::string(c.model) + "_eval.safetensors").at("logits");
  test::expect_close(model->forward(x), want, scaled(want), std::string(c.model) + " logits from " + c.file);
}

INSTANTIATE_TEST_SUITE_P(
    AllFileKinds, TorchLogits,
    ::testing::Values(Case{"resnet18", "resnet18.safetensors"}, Case{"resnet18", "resnet18.pth"},
                      Case{"resnet18", "resnet18_legacy.pth"}, Case{"resnet34", "resnet34.safetensors"},
                      Case{"resnet34", "resnet34.pth"}, Case{"resnet34", "resnet34_legacy.pth"},
                      Case{"resnet50", "resnet50.safetensors"}, Case{"resnet50", "resnet50.pth"},
                      Case{"resnet50", "resnet50_legacy.pth"}),
    [](const auto& info) {
      std::string n = info.param.file;
      for (char& ch : n) ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      return n;
    });

// The committed logits are what this machine's PyTorch computes too (else the
// fixtures are stale, or torch draws other random weights).
TEST(TorchReference, CommittedLogitsAreThisTorchsLogits) {
  CTC_REQUIRE_TORCH();
  for (const char* m : {"resnet18", "resnet34", "resnet50"}) {
    Tensor fresh = read_map(Reference::get().dir + m + "_eval.safetensors").at("logits");
    Tensor committed = read_map(kFixtures + m + "_eval.safetensors").at("logits");
    test::expect_close(fresh, committed, test::tol::kStrictFp32, std::string(m) + ": regenerated vs committed");
  }
}

// One training step from the same weights, input and labels as PyTorch:
// train mode (batch statistics), cross-entropy mean, backward, AdamW with
// torch's defaults. ResNet18 (basic blocks) in float32. ResNet50 (bottleneck
// blocks) in float64: from these random weights its training step is
// ill-conditioned in float32 (torch's own float32 gradients differ from its
// float64 ones by ~0.5% of the largest), so float32 cannot be held to 1e-4
// there; both engines run the same step in float64 instead, to 1e-8.
struct TrainCase {
  const char* model;
  bool f64;
};
void PrintTo(const TrainCase& c, std::ostream* os) { *os << c.model << (c.f64 ? " f64" : " f32"); }
class TorchTrainStep : public ::testing::TestWithParam<TrainCase> {};

TEST_P(TorchTrainStep, LossGradientsAndAdamWStepMatchPyTorch) {
  CTC_REQUIRE_TORCH();
  const std::string m = GetParam().model;
  const bool f64 = GetParam().f64;
  const auto scaled = f64 ? scaled_f64 : ctcscope::scaled;
  const std::string kind = f64 ? "_train_f64" : "_train";
  auto model = make_model(m, 1000);
  import_weights(*model, Reference::get().dir + m + ".safetensors");
  if (f64) model->to_dtype(DType::f64);
  auto in = read_map(kFixtures + "train_input.safetensors");
  if (f64) in.at("input") = in.at("input").to(DType::f64);
  auto full = read_map(Reference::get().dir + m + kind + ".safetensors");
  auto selected = read_map(kFixtures + m + kind + "_selected.safetensors");

  model->train();
  model->zero_grad();
  AdamW optimizer(model->named_parameters());
  CrossEntropyLoss criterion;
  const double loss = criterion.forward(model->forward(in.at("input")), in.at("labels"));
  model->backward(criterion.backward());
  const double loss_rtol = scaled(full.at("loss")).rtol;
  EXPECT_NEAR(loss, full.at("loss").item(), loss_rtol * std::fabs(full.at("loss").item()));
  EXPECT_NEAR(loss, selected.at("loss").item(), loss_rtol * std::fabs(selected.at("loss").item()));

  for (auto& [name, p] : model->named_parameters()) {
    const Tensor& want = full.at("grad." + name);
    test::expect_close(p->grad, want, scaled(want), "grad." + name);
    if (selected.count("grad." + name)) {
      test::expect_close(p->grad, selected.at("grad." + name), scaled(want), "committed grad." + name);
    }
  }
  std::vector<Tensor> before;
  for (auto& [name, p] : model->named_parameters()) before.push_back(p->value.clone());
  optimizer.step();
  // AdamW's first step moves each weight by lr * g / (|g| + eps), about
  // lr * sign(g) = 1e-3. Where |g| is within twice the gradient tolerance of
  // zero the sign, and so the direction, is not fixed by either
  // implementation: there only the step's size is checked (at most lr, plus
  // weight decay). Elsewhere the weights are held to rtol 1e-4, atol 1e-7
  // (1e-4 of the step), plus the gradient tolerance glim carried through the
  // step: d(step)/dg = lr * eps / (|g| + eps)^2, at most lr * eps * glim /
  // (|g| - glim)^2 (2e-5 at worst, where |g| = 2 glim; tiny for most).
  const double lr = optimizer.lr();
  std::int64_t undetermined = 0;
  for (auto& [name, p] : model->named_parameters()) {
    auto got = p->value.to_double_vector(), ref = full.at("param." + name).to_double_vector();
    auto g = full.at("grad." + name).to_double_vector();
    const double g_atol = scaled(full.at("grad." + name)).atol;
    const double eps = optimizer.options().eps;
    std::int64_t bad = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
      const double err = std::fabs(got[i] - ref[i]);
      if (std::fabs(g[i]) <= 2 * g_atol) {
        ++undetermined;
        if (err > 2 * lr * (1 + 1e-4) + 1e-7) ++bad;
      } else {
        const double glim = g_atol + 1e-4 * std::fabs(g[i]), margin = std::fabs(g[i]) - glim + eps;
        if (err > 1e-7 + 1e-4 * std::fabs(ref[i]) + lr * eps * glim / (margin * margin)) ++bad;
      }
    }
    EXPECT_EQ(bad, 0) << "param." << name << ": " << bad << " of " << ref.size() << " weights differ";
  }
  std::printf("weights after the step: %lld with a gradient within tolerance of zero held to the step size\n",
              static_cast<long long>(undetermined));

  // The AdamW step alone, on PyTorch's gradients from the same weights: every
  // weight must match (same formula in fp32; 1e-6 of the weight or 1e-9, a
  // millionth of the step, covers rounding).
  std::size_t i = 0;
  for (auto& [name, p] : model->named_parameters()) {
    p->value.copy_from(before[i++]);
    p->grad.copy_from(full.at("grad." + name));
  }
  AdamW fresh(model->named_parameters());
  fresh.step();
  for (auto& [name, p] : model->named_parameters()) {
    test::expect_close(p->value, full.at("param." + name), {1e-9, 1e-6}, "AdamW on torch's grads: " + name);
  }
}

INSTANTIATE_TEST_SUITE_P(BothBlockKinds, TorchTrainStep,
                         ::testing::Values(TrainCase{"resnet18", false}, TrainCase{"resnet50", true}),
                         [](const auto& info) { return std::string(info.param.model) + (info.param.f64 ? "_f64" : "_f32"); });

}  // namespace
}  // namespace ctcscope
