// The experiment grid on a real Slurm: tools/local_slurm.sh starts munged,
// slurmctld and slurmd for this host, `ctcscope experiment ... --slurm`
// submits a 2-ablation x 2-seed grid as a job array and its collect job, and
// once the collect job has ended its tables and every run's test metrics are
// those of the same grid run in one process, bit for bit. A task cancelled
// by the scheduler mid-run (SIGTERM, as at a time limit) leaves no lock, its
// collect job names the run missing, and resubmitted it resumes and ends as
// the uninterrupted run. Skips with the reason where Slurm cannot start (not
// root, slurm-wlm or munge missing).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <regex>
#include <sstream>
#include <thread>

#include "base/file_util.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "train/run_folder.h"

namespace ctcscope {
namespace {

const std::string kLocalSlurm = std::string(CTC_SOURCE_DIR) + "/tools/local_slurm.sh";

// The daemons of one test, stopped when it ends (and by the script's watcher
// if this process dies first).
class LocalSlurm {
 public:
  explicit LocalSlurm(const std::string& dir) : dir_(dir) {
    const test::ProcessResult r =
        test::run_process({"/bin/bash", kLocalSlurm, "start", dir_, std::to_string(::getpid())}, dir_ + ".start.log");
    started_ = r.code == 0;
    why_not_ = r.output;
  }
  ~LocalSlurm() { test::run_process({"/bin/bash", kLocalSlurm, "stop", dir_}, dir_ + ".stop.log"); }
  bool started() const { return started_; }
  const std::string& why_not() const { return why_not_; }
  std::vector<std::pair<std::string, std::string>> env() const { return {{"SLURM_CONF", dir_ + "/slurm.conf"}}; }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_, why_not_;
  bool started_ = false;
};

std::vector<std::string> grid_command(const std::string& out, const std::string& ablations, const std::string& seeds,
                                      const std::string& epochs) {
  return {CTCSCOPE_BINARY, "experiment", test::tiny_dataset(), "--out", out, "--ablations", ablations,
          "--seeds", seeds, "--model", "resnet18", "--input", "32", "--epochs", epochs, "--batch", "8",
          "--max-cells", "40", "--lr", "0.001", "--patience", "0", "--threads", "1"};
}

// Runs a Slurm command line with the test's slurm.conf; its output.
std::string slurm_command(const LocalSlurm& slurm, const std::vector<std::string>& argv) {
  return test::run_process(argv, slurm.dir() + ".command.log", slurm.env()).output;
}

// Submits the grid with --slurm; the array's and the collect job's ids.
std::pair<std::string, std::string> submit_grid(const LocalSlurm& slurm, std::vector<std::string> command,
                                                std::size_t runs) {
  command.push_back("--slurm");
  const test::ProcessResult r = test::run_process(command, slurm.dir() + ".submit.log", slurm.env());
  EXPECT_EQ(r.code, 0) << r.output;
  std::smatch ids;
  const std::regex line("array job (\\d+) \\(" + std::to_string(runs) + " tasks\\), collect job (\\d+)");
  if (!std::regex_search(r.output, ids, line)) {
    ADD_FAILURE() << r.output;
    return {};
  }
  return {ids[1].str(), ids[2].str()};
}

// Waits for a job (every task of an array) to end; its last JobState. A
// task Slurm could not launch fails at once, with slurmd's log.
std::string wait_for_job(const LocalSlurm& slurm, const std::string& job) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(15);
  std::string states;
  while (std::chrono::steady_clock::now() < deadline) {
    states = slurm_command(slurm, {"/usr/bin/scontrol", "show", "job", job, "-o"});
    if (states.find("launch_failed") != std::string::npos || states.find("held") != std::string::npos) {
      ADD_FAILURE() << "Slurm cannot launch job " << job << ": " << states << "\nslurmd.log:\n"
                    << read_file_bytes(slurm.dir() + "/slurmd.log");
      return "";
    }
    std::string last;
    bool running = false;
    static const std::regex state("JobState=(\\S+)");
    for (auto it = std::sregex_iterator(states.begin(), states.end(), state);
         it != std::sregex_iterator(); ++it) {
      last = (*it)[1].str();
      running = running || last == "PENDING" || last == "RUNNING" || last == "CONFIGURING" || last == "COMPLETING";
    }
    if (!last.empty() && !running) return last;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  ADD_FAILURE() << "job " << job << " did not end in 15 minutes: " << states;
  return "";
}

std::size_t line_count(const std::string& path) {
  if (!file_exists(path)) return 0;
  const std::string text = read_file_bytes(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// test_eval.json without its checkpoint path, which names the run's folder.
std::string test_metrics(const std::string& run_dir) {
  std::istringstream in(read_file_bytes(run_dir + "/test_eval.json"));
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.find("\"checkpoint\":") == std::string::npos) out += line + "\n";
  }
  return out;
}

TEST(ExperimentSlurm, AJobArrayOnARealSlurmGivesTheInProcessTablesBitForBit) {
  const std::string root = test::fresh_test_dir("ctcscope_slow_test_slurm");
  const LocalSlurm slurm(root + "/slurm");
  if (!slurm.started()) GTEST_SKIP() << "Slurm cannot start here: " << slurm.why_not();
  const auto grid = [&](const std::string& out) { return grid_command(root + out, "BF_noDAPI,BF_DAPI", "2", "1"); };
  const auto [array_job, collect_job] = submit_grid(slurm, grid("/on_slurm"), 4);
  ASSERT_FALSE(collect_job.empty());

  // The in-process grid meanwhile (the array tasks take the CPUs Slurm gives them).
  const test::ProcessResult local = test::run_process(grid("/in_process"), root + "/in_process.log");
  ASSERT_EQ(local.code, 0) << local.output;

  const std::string logs = root + "/on_slurm/slurm/logs/";
  ASSERT_EQ(wait_for_job(slurm, collect_job), "COMPLETED") << read_file_bytes(logs + "collect.log");
  EXPECT_EQ(wait_for_job(slurm, array_job), "COMPLETED");
  for (int k = 0; k < 4; ++k) {
    const std::string log = read_file_bytes(logs + "run-" + std::to_string(k) + ".log");
    EXPECT_NE(log.find("run " + std::to_string(k) + " "), std::string::npos) << log;
  }
  const std::string table = "/table3_ablations.csv";
  EXPECT_EQ(read_file_bytes(root + "/on_slurm" + table), read_file_bytes(root + "/in_process" + table));
  for (const char* run : {"resnet18_BF_noDAPI_seed0", "resnet18_BF_noDAPI_seed1", "resnet18_BF_DAPI_seed0",
                          "resnet18_BF_DAPI_seed1"}) {
    EXPECT_EQ(test_metrics(root + "/on_slurm/" + run), test_metrics(root + "/in_process/" + run)) << run;
  }
}

TEST(ExperimentSlurm, ATaskTheSchedulerEndsMidRunResumesWhenResubmitted) {
  const std::string root = test::fresh_test_dir("ctcscope_slow_test_slurm");
  const LocalSlurm slurm(root + "/slurm");
  if (!slurm.started()) GTEST_SKIP() << "Slurm cannot start here: " << slurm.why_not();
  const auto grid = [&](const std::string& out) { return grid_command(root + out, "BF_DAPI", "1", "4"); };
  const auto [array_job, collect_job] = submit_grid(slurm, grid("/on_slurm"), 1);
  ASSERT_FALSE(collect_job.empty());
  const std::string run = root + "/on_slurm/resnet18_BF_DAPI_seed0";

  // Cancel the task once its first epoch is saved (its line is printed after
  // last.safetensors): SIGTERM, then SIGKILL, as at a time limit.
  const std::string task_log = root + "/on_slurm/slurm/logs/run-0.log";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(10);
  while ((!file_exists(task_log) || read_file_bytes(task_log).find("epoch 1/4") == std::string::npos) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  slurm_command(slurm, {"/usr/bin/scancel", array_job});
  EXPECT_EQ(wait_for_job(slurm, array_job), "CANCELLED");
  const std::size_t epochs_done = line_count(run + "/metrics.csv") - 1;
  ASSERT_GE(epochs_done, 1u);
  ASSERT_LT(epochs_done, 4u) << "the run ended before the scheduler's signal: nothing was interrupted";
  EXPECT_FALSE(file_exists(run + "/run.lock")) << "SIGTERM leaves no lock behind";
  EXPECT_EQ(wait_for_job(slurm, collect_job), "FAILED");
  const std::string collect_log = read_file_bytes(root + "/on_slurm/slurm/logs/collect.log");
  EXPECT_NE(collect_log.find("runs not finished:\n  run 0 (" + run + "): "), std::string::npos) << collect_log;

  const std::string resubmitted = slurm_command(
      slurm, {"/usr/bin/sbatch", "--parsable", "--array=0", root + "/on_slurm/slurm/array.sbatch"});
  const std::string job = resubmitted.substr(0, resubmitted.find_first_of(";\n"));
  ASSERT_EQ(wait_for_job(slurm, job), "COMPLETED") << read_file_bytes(task_log);
  // After epoch 1 at least (the kill may fall between an epoch's metrics.csv and its last.safetensors).
  EXPECT_NE(read_file_bytes(task_log).find("resuming after epoch "), std::string::npos) << read_file_bytes(task_log);
  const test::ProcessResult collected = test::run_process(
      {CTCSCOPE_BINARY, "experiment", root + "/on_slurm", "--collect"}, root + "/collect.log");
  ASSERT_EQ(collected.code, 0) << collected.output;

  const test::ProcessResult local = test::run_process(grid("/in_process"), root + "/in_process.log");
  ASSERT_EQ(local.code, 0) << local.output;
  EXPECT_EQ(read_file_bytes(root + "/on_slurm/table3_ablations.csv"),
            read_file_bytes(root + "/in_process/table3_ablations.csv"));
  EXPECT_EQ(test_metrics(run), test_metrics(root + "/in_process/resnet18_BF_DAPI_seed0"));
  EXPECT_EQ(line_count(run + "/metrics.csv"), 5u) << "a header and the 4 epochs, each once";
}

}  // namespace
}  // namespace ctcscope
