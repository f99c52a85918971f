// Training on the GPU (TrainConfig::device = cuda): the run folder of a GPU
// run against the same run on the CPU, resume on the GPU bit for bit, its
// checkpoint read back on the CPU (the refusal where no GPU answers is a CPU
// test: slow_test_trainer_device.cpp).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "models/checkpoint.h"
#include "tensor/device.h"
#include "formats/state_dict.h"
#include "tests/support/gpu_math_scope.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "train/checkpoint_eval.h"
#include "train/run_folder.h"
#include "train/trainer.h"

namespace ctcscope {
namespace {

using test::fresh_run_dir;
using test::tiny_config;

std::map<std::string, std::string> tensor_bytes(const std::string& path) {
  std::map<std::string, std::string> out;
  for (const auto& e : read_safetensors(path).tensors) {
    out[e.name] = std::string(static_cast<const char*>(e.tensor.raw_data()), e.tensor.nbytes());
  }
  return out;
}

TrainConfig on_gpu(TrainConfig c) {
  c.device = Device::cuda;
  return c;
}

TEST(TrainerCuda, RunMatchesTheCpuRun) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kStrict);
  const std::string cpu_dir = fresh_run_dir("cpu_twin"), gpu_dir = fresh_run_dir("gpu_run");
  TrainConfig c = tiny_config(cpu_dir);
  c.epochs = 1;
  ASSERT_EQ(train_run(c, false, "test").status, RunStatus::completed);
  c.out_dir = gpu_dir;
  const TrainOutcome out = train_run(on_gpu(c), false, "test");
  ASSERT_EQ(out.status, RunStatus::completed) << out.message;
  const auto a = read_metrics_csv(cpu_dir + "/metrics.csv"), b = read_metrics_csv(gpu_dir + "/metrics.csv");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  // One epoch of AdamW steps: its normalised step turns the backends'
  // rounding differences in near-zero gradients into weight differences of
  // up to lr, so the losses agree to about a percent, not to fp32 rounding.
  constexpr double kOneEpochRelative = 2e-2;
  EXPECT_NEAR(b[0].train_loss, a[0].train_loss, kOneEpochRelative * std::fabs(a[0].train_loss));
  EXPECT_NEAR(b[0].val_loss, a[0].val_loss, kOneEpochRelative * std::fabs(a[0].val_loss));
  // The GPU run's checkpoint is an ordinary one: it loads and evaluates on the CPU.
  const CheckpointEval e = evaluate_checkpoint(gpu_dir + "/best.safetensors", c.dataset_dir, gpu_dir + "/split.csv");
  EXPECT_GT(e.predictions.truth.size(), 0u);
  for (double p : e.predictions.ctc_probability) EXPECT_TRUE(std::isfinite(p));
}

// The mode a GPU run trains in by default (TF32) against the CPU run: one
// epoch on the generated dataset. TF32 adds about 3e-3 per layer to each
// gradient (kGpuTf32Relative) over ResNet18's 18 layers, on top of the
// strict run's AdamW amplification above: the losses agree to a few percent.
TEST(TrainerCuda, Tf32EpochMatchesTheCpuRun) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kTf32);
  const std::string cpu_dir = fresh_run_dir("cpu_twin_tf32"), gpu_dir = fresh_run_dir("gpu_run_tf32");
  TrainConfig c = tiny_config(cpu_dir);
  c.epochs = 1;
  c.input_size = 64;
  ASSERT_EQ(train_run(c, false, "test").status, RunStatus::completed);
  c.out_dir = gpu_dir;
  const TrainOutcome out = train_run(on_gpu(c), false, "test");
  ASSERT_EQ(out.status, RunStatus::completed) << out.message;
  const auto a = read_metrics_csv(cpu_dir + "/metrics.csv"), b = read_metrics_csv(gpu_dir + "/metrics.csv");
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  constexpr double kOneEpochTf32Relative = 5e-2;
  EXPECT_NEAR(b[0].train_loss, a[0].train_loss, kOneEpochTf32Relative * std::fabs(a[0].train_loss));
  EXPECT_NEAR(b[0].val_loss, a[0].val_loss, kOneEpochTf32Relative * std::fabs(a[0].val_loss));
}

// What --deterministic promises an audited run: the same run twice on the
// GPU ends with the same bytes (cuDNN's deterministic algorithms, the own
// kernels' fixed-order sums).
TEST(TrainerCuda, DeterministicRunsGiveTheSameWeightsBitwise) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kDeterministic);
  const std::string first = fresh_run_dir("gpu_det_1"), second = fresh_run_dir("gpu_det_2");
  ASSERT_EQ(train_run(on_gpu(tiny_config(first)), false, "test").status, RunStatus::completed);
  ASSERT_EQ(train_run(on_gpu(tiny_config(second)), false, "test").status, RunStatus::completed);
  const auto a = tensor_bytes(first + "/last.safetensors"), b = tensor_bytes(second + "/last.safetensors");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs between two deterministic runs";
  }
}

TEST(TrainerCuda, ResumeGivesTheSameWeightsBitwise) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kDeterministic);
  const std::string straight = fresh_run_dir("gpu_straight"), resumed = fresh_run_dir("gpu_resumed");
  ASSERT_EQ(train_run(on_gpu(tiny_config(straight)), false, "test").status, RunStatus::completed);
  TrainHooks stop;
  stop.stop_after_epoch = 1;
  ASSERT_EQ(train_run(on_gpu(tiny_config(resumed)), false, "test", stop).status, RunStatus::interrupted);
  const TrainOutcome second = train_run(on_gpu(tiny_config(resumed)), true, "test");
  ASSERT_EQ(second.status, RunStatus::completed) << second.message;
  const auto a = tensor_bytes(straight + "/last.safetensors"), b = tensor_bytes(resumed + "/last.safetensors");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs after resume";
  }
}

}  // namespace
}  // namespace ctcscope
