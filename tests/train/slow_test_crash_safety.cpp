// Crash safety of `ctcscope train`, with real processes and SIGKILL: a run
// killed at any moment (mid-epoch, or between writing a checkpoint's
// temporary file and renaming it) and resumed with --resume ends with the
// same bytes in last.safetensors (weights, BatchNorm statistics, AdamW
// moments) and the same metrics.csv epochs as a run never interrupted. A
// damaged last.safetensors is refused by its checksum, naming the file.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "base/file_util.h"
#include "formats/state_dict.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "train/run_folder.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

using Exit = test::ProcessResult;

// Runs `ctcscope train` on the tiny dataset into `out`, optionally with the
// fault-injection variable set, optionally SIGKILLed after `kill_after`.
Exit run_train(const std::string& out, bool resume, const std::string& fault = "",
               std::chrono::milliseconds kill_after = std::chrono::milliseconds(0)) {
  std::vector<std::string> args = {CTCSCOPE_BINARY, "train", test::tiny_dataset(), "--out", out,
                                   "--model", "resnet18", "--ablation", "BF_DAPI_noAUG", "--epochs", "3",
                                   "--batch", "8", "--input", "32", "--seed", "1", "--threads", "2"};
  if (resume) args.push_back("--resume");
  return test::run_process(args, out + ".log", {{"CTCSCOPE_FAULT_KILL_BEFORE_RENAME", fault}}, kill_after);
}

// Every tensor of last.safetensors, by name, as raw bytes.
std::map<std::string, std::string> tensor_bytes(const std::string& path) {
  std::map<std::string, std::string> out;
  for (const auto& e : read_safetensors(path).tensors) {
    out[e.name] = std::string(static_cast<const char*>(e.tensor.raw_data()), e.tensor.nbytes());
  }
  return out;
}

std::vector<std::int64_t> metric_epochs(const std::string& run) {
  std::vector<std::int64_t> out;
  for (const auto& r : read_metrics_csv(RunPaths{run}.metrics())) out.push_back(r.epoch);
  return out;
}

// The uninterrupted run, once per test program.
const std::map<std::string, std::string>& reference() {
  static const std::map<std::string, std::string> ref = [] {
    const std::string dir = test::fresh_run_dir("crash_reference");
    const Exit e = run_train(dir, false);
    EXPECT_EQ(e.code, 0) << e.output;
    EXPECT_EQ(metric_epochs(dir), (std::vector<std::int64_t>{1, 2, 3}));
    return tensor_bytes(RunPaths{dir}.last());
  }();
  return ref;
}

void expect_same_as_reference(const std::string& dir) {
  const auto got = tensor_bytes(RunPaths{dir}.last());
  const auto& want = reference();
  ASSERT_EQ(got.size(), want.size());
  std::size_t differ = 0;
  for (const auto& [name, bytes] : want) differ += got.at(name) != bytes;
  EXPECT_EQ(differ, 0u) << "of " << want.size() << " tensors in last.safetensors";
  EXPECT_EQ(metric_epochs(dir), (std::vector<std::int64_t>{1, 2, 3}));
}

// Resumes until the run completes (at most `tries` times).
void resume_to_the_end(const std::string& dir, int tries = 4) {
  for (int i = 0; i < tries; ++i) {
    const Exit e = run_train(dir, true);
    if (e.code == 0) return;
    ADD_FAILURE() << "resume " << i << " failed: " << e.output;
  }
}

TEST(CrashSafety, KilledBeforeRenamingLastCheckpointResumesToTheSameWeights) {
  reference();
  const std::string dir = test::fresh_run_dir("crash_last");
  const Exit e = run_train(dir, false, "last.safetensors:2");  // end of epoch 2
  ASSERT_TRUE(e.killed) << e.output;
  bool temp_left = false;  // the complete new file, never renamed
  for (const auto& e : fs::directory_iterator(dir)) {
    temp_left = temp_left || e.path().filename().string().rfind("last.safetensors.tmp-", 0) == 0;
  }
  EXPECT_TRUE(temp_left);
  // metrics.csv is written before last.safetensors: it holds epoch 2, which
  // the state does not; resume drops that row and trains epoch 2 again.
  EXPECT_EQ(metric_epochs(dir), (std::vector<std::int64_t>{1, 2}));
  resume_to_the_end(dir);
  expect_same_as_reference(dir);
}

TEST(CrashSafety, KilledBeforeRenamingBestCheckpointResumesToTheSameWeights) {
  reference();
  const std::string dir = test::fresh_run_dir("crash_best");
  const Exit e = run_train(dir, false, "best.safetensors:1");  // epoch 1, before any last.safetensors
  ASSERT_TRUE(e.killed) << e.output;
  EXPECT_FALSE(fs::exists(RunPaths{dir}.last()));
  resume_to_the_end(dir);
  expect_same_as_reference(dir);
}

// SIGKILL from outside at moments spread over the run (start-up, mid-epoch,
// checkpoint writes), resuming after each, then once more to the end.
TEST(CrashSafety, KilledAtManyMomentsResumesToTheSameWeights) {
  reference();
  const std::string dir = test::fresh_run_dir("crash_many");
  bool started = false;
  int kills = 0;
  for (int ms : {300, 900, 1400, 1900, 2600, 3100}) {
    const Exit e = run_train(dir, started, "", std::chrono::milliseconds(ms));
    started = true;
    kills += e.killed;
    if (!e.killed && e.code == 0) break;  // finished before the kill came
  }
  EXPECT_GT(kills, 0);
  resume_to_the_end(dir);
  expect_same_as_reference(dir);
}

TEST(CrashSafety, DamagedLastCheckpointIsRefusedByItsChecksum) {
  reference();
  const std::string dir = test::fresh_run_dir("crash_damaged");
  const Exit e = run_train(dir, false, "last.safetensors:2");
  ASSERT_TRUE(e.killed) << e.output;
  // Flip one byte in the tensor payload of epoch 1's state.
  const std::string last = RunPaths{dir}.last();
  std::string bytes = read_file_bytes(last);
  bytes[bytes.size() - 100] ^= 0x40;
  std::ofstream(last, std::ios::binary | std::ios::trunc) << bytes;
  const Exit resumed = run_train(dir, true);
  EXPECT_EQ(resumed.code, 1) << resumed.output;
  EXPECT_NE(resumed.output.find(last), std::string::npos) << resumed.output;
  EXPECT_NE(resumed.output.find("sha256"), std::string::npos) << resumed.output;
}

}  // namespace
}  // namespace ctcscope
