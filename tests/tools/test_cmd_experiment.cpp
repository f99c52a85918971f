// ctcscope experiment's steps on the command line, without training:
// --slurm --dry-run writes the plan and the job files for this binary and
// this folder, and submits nothing; --run and --collect take the experiment
// folder alone; a bad --ablations or --slurm-opts is a usage error.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "tests/support/test_util.h"
#include "tools/commands.h"

namespace ctcscope::cli {
namespace {

Argv grid(const std::string& out) {
  return {"data", "--out", out, "--ablations", "BF_noDAPI,BF_DAPI", "--seeds", "3", "--model", "resnet18"};
}

Argv with(Argv argv, const Argv& more) {
  argv.insert(argv.end(), more.begin(), more.end());
  return argv;
}

TEST(CmdExperiment, SlurmDryRunWritesThePlanAndTheJobsAndSubmitsNothing) {
  const std::string out = test::fresh_test_dir("ctcscope_test_cmd_experiment") + "/exp";
  ASSERT_EQ(run_experiment(with(grid(out), {"--device", "cuda", "--slurm", "--dry-run", "--slurm-opts",
                                            "--partition=gpu --time=2:00:00"})),
            0);
  EXPECT_NE(read_file_bytes(out + "/plan.json").find("\"folder\": \"resnet18_BF_DAPI_seed2\""), std::string::npos);
  const std::string array = read_file_bytes(out + "/slurm/array.sbatch");
  for (const char* line : {"#SBATCH --array=0-5\n", "#SBATCH --gres=gpu:1\n", "#SBATCH --partition=gpu\n",
                           "--run \"$SLURM_ARRAY_TASK_ID\"\n", "/slurm/logs/run-%a.log\n"}) {
    EXPECT_NE(array.find(line), std::string::npos) << line << " in\n" << array;
  }
  const std::string binary = std::filesystem::read_symlink("/proc/self/exe").string();
  EXPECT_NE(array.find("exec '" + binary + "' experiment '" + std::filesystem::absolute(out).string() + "'"),
            std::string::npos)
      << array;
  EXPECT_NE(read_file_bytes(out + "/slurm/submit.sh").find("--dependency=afterany:"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_directory(out + "/slurm/logs"));
}

TEST(CmdExperiment, StepsTakeTheExperimentFolderAloneAndBadListsAreUsageErrors) {
  const std::string out = test::fresh_test_dir("ctcscope_test_cmd_experiment") + "/exp";
  ASSERT_EQ(run_experiment(with(grid(out), {"--plan"})), 0);
  EXPECT_THROW(run_experiment({out, "--run", "0", "--out", out}), UsageError);
  EXPECT_THROW(run_experiment({out, "--run", "0", "--collect"}), UsageError);
  EXPECT_THROW(run_experiment({out, "--run", "-1"}), UsageError);
  EXPECT_THROW(run_experiment(with(grid(out), {"--ablations", "BF_DAPI,NoSuch"})), UsageError);
  EXPECT_THROW(run_experiment(with(grid(out), {"--slurm", "--slurm-opts", "--partition gpu"})), UsageError);
  EXPECT_THROW(run_experiment(with(grid(out), {"--dry-run"})), UsageError);
  test::expect_error_containing([&] { run_experiment({out, "--run", "6"}); }, "run 6 is out of range");
}

}  // namespace
}  // namespace ctcscope::cli
