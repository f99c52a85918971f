// `ctcscope export --format torchvision` read by PyTorch: the exported
// state_dict loads into torchvision's own network (strict names and shapes)
// and gives ctcscope's logits within the tolerances of the import tests
// (slow_test_torch_arch.cpp); the preprocessing JSON holds what feeding the
// network needs. Skips when the test Python (test::python()) has no torch.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "base/file_util.h"
#include "base/json.h"
#include "formats/state_dict.h"
#include "models/checkpoint.h"
#include "models/registry.h"
#include "tensor/random.h"
#include "tests/support/test_util.h"
#include "train/torchvision_export.h"

namespace ctcscope {
namespace {

std::string torch_skip_reason() {
  const std::string py = test::python();
  if (std::system((py + " -c 'import torch, torchvision' >/dev/null 2>&1").c_str()) != 0) {
    return py + " with torch and torchvision is needed (Debian: python3-torch python3-torchvision)";
  }
  return "";
}

// BatchNorm's running statistics away from their initial 0 and 1, so the
// export is tested on them too.
void randomise_batchnorm(Module& model) {
  std::size_t k = 0;
  for (auto& b : model.named_buffers()) {
    if (b.item->dtype() != DType::f32) continue;
    float* v = b.item->data<float>();
    const bool var = b.name.ends_with("running_var");
    for (std::int64_t i = 0; i < b.item->numel(); ++i, ++k) {
      const double s = std::sin(0.37 * static_cast<double>(k));
      v[i] = static_cast<float>(var ? 0.5 + s * s : 0.2 * s);
    }
  }
}

double max_abs(const Tensor& t) {
  double m = 0;
  for (double v : t.to_double_vector()) m = std::max(m, std::fabs(v));
  return m;
}

// Exports a random network of `arch` as OUT.<extension>, has PyTorch load it
// into torchvision's network and run an input, and compares with ctcscope.
void check_export(const std::string& arch, const std::string& extension) {
  const std::string dir = test::fresh_test_dir("torchvision_export_" + arch + extension);
  auto model = make_model(arch, 2, 7);
  randomise_batchnorm(*model);
  CheckpointInfo info;
  info.architecture = arch;
  info.classes = {"leukocyte", "ctc"};
  info.input_size = 64;
  info.intensity = "dataset:1:99.8;bf=0.01:0.5;dapi=0:0.25";
  save_checkpoint(dir + "/best.safetensors", *model, info);

  const ExportedFiles files = export_torchvision(dir + "/best.safetensors", dir + "/exported" + extension);
  EXPECT_EQ(files.preprocessing, dir + "/exported.json");
  const Tensor x = random_normal({2, 3, 64, 64}, Seed{"test.export", 0, 1});
  write_safetensors(dir + "/input.safetensors", {{"input", x}});
  const std::string cmd = test::python() + " " + CTC_SOURCE_DIR + "/tools/fixtures/torchvision_export_check.py " +
                          files.weights + " " + files.preprocessing + " " + dir + "/input.safetensors " + dir +
                          "/torch_logits.safetensors > " + dir + "/log.txt 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << read_file_bytes(dir + "/log.txt");

  Checkpoint ck = load_checkpoint(dir + "/best.safetensors");
  ck.model->eval();
  const Tensor want = ck.model->forward(x);
  const Tensor got = read_safetensors(dir + "/torch_logits.safetensors").tensors.at(0).tensor;
  // As slow_test_torch_arch.cpp: rtol 1e-4, atol 1e-5 of the largest logit
  // (fp32 rounding in a deep network is a share of the magnitudes summed).
  test::expect_close(got, want, {1e-5 * max_abs(want), 1e-4}, arch + " logits, PyTorch against ctcscope");

  const JsonValue j = json_parse(read_file_bytes(files.preprocessing), files.preprocessing);
  EXPECT_EQ(j.find("input_size")->as_integer(), 64);
  EXPECT_EQ(j.find("classes")->as_array().at(1).as_string(), "ctc");
  EXPECT_EQ(j.find("intensity")->find("mode")->as_string(), "dataset");
  EXPECT_EQ(j.find("intensity")->find("levels")->find("bf")->as_array().at(1).as_number(), 0.5);
  EXPECT_EQ(j.find("mean")->as_array().at(0).as_number(), info.mean[0]);
  EXPECT_EQ(j.find("std")->as_array().at(2).as_number(), info.std[2]);
}

class TorchvisionExport : public ::testing::TestWithParam<const char*> {};

TEST_P(TorchvisionExport, PyTorchLoadsTheStateDictAndGivesCtcscopesLogits) {
  const std::string skip = torch_skip_reason();
  if (!skip.empty()) GTEST_SKIP() << skip;
  check_export(GetParam(), ".safetensors");
}

INSTANTIATE_TEST_SUITE_P(Paper, TorchvisionExport, ::testing::Values("resnet18", "densenet121", "efficientnet_b4"));

// torch.save's format, read by torch.load itself.
TEST(TorchvisionExportFiles, TorchLoadReadsThePthExport) {
  const std::string skip = torch_skip_reason();
  if (!skip.empty()) GTEST_SKIP() << skip;
  check_export("resnet18", ".pth");
}

TEST(TorchvisionExportFiles, OtherNamesAreRefusedAndNothingIsWritten) {
  const std::string dir = test::fresh_test_dir("torchvision_export_names");
  auto model = make_model("resnet18", 2, 1);
  CheckpointInfo info;
  info.architecture = "resnet18";
  info.classes = {"leukocyte", "ctc"};
  info.input_size = 32;
  save_checkpoint(dir + "/best.safetensors", *model, info);
  test::expect_error_containing([&] { export_torchvision(dir + "/best.safetensors", dir + "/out.bin"); },
                                dir + "/out.bin: the export must be named *.pth or *.safetensors");
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.json"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/out.bin"));
}

}  // namespace
}  // namespace ctcscope
