// The Slurm job files of an experiment (what --slurm --dry-run writes): the
// array spans the plan's runs, each task runs --run $SLURM_ARRAY_TASK_ID
// with its own log, a GPU run asks for a GPU unless the user's options do,
// the collect job asks for none and is submitted afterany on the array.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "tests/support/test_util.h"
#include "train/slurm_job.h"

namespace ctcscope {
namespace {

SlurmJobOptions four_runs() {
  SlurmJobOptions o;
  o.experiment_dir = "/shared/exp/t3";
  o.ctcscope = "/opt/ctcscope/bin/ctcscope";
  o.workdir = "/shared";
  o.runs = 4;
  return o;
}

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

TEST(SlurmJob, ArrayHasATaskPerRunEachRunningItsIndexIntoItsOwnLog) {
  const std::string s = array_sbatch(four_runs());
  EXPECT_EQ(s.rfind("#!/bin/bash\n", 0), 0u);
  EXPECT_TRUE(has_line(s, "#SBATCH --array=0-3")) << s;
  EXPECT_TRUE(has_line(s, "#SBATCH --output=/shared/exp/t3/slurm/logs/run-%a.log")) << s;
  EXPECT_TRUE(has_line(s, "#SBATCH --open-mode=append")) << s;
  EXPECT_TRUE(has_line(s, "#SBATCH --chdir=/shared")) << s;
  EXPECT_TRUE(has_line(s, "exec '/opt/ctcscope/bin/ctcscope' experiment '/shared/exp/t3' --run \"$SLURM_ARRAY_TASK_ID\""))
      << s;
  EXPECT_EQ(s.find("gres"), std::string::npos) << "a CPU grid asks for no GPU: " << s;
  EXPECT_EQ(s.find("--cpus-per-task"), std::string::npos) << s;
}

TEST(SlurmJob, ResourcesComeFromTheTrainingOptionsUnlessTheUsersOptionsSay) {
  SlurmJobOptions o = four_runs();
  o.gpu = true;
  o.cpus_per_task = 8;
  o.sbatch_options = {"--partition=gpu", "--time=12:00:00"};
  std::string s = array_sbatch(o);
  for (const char* line : {"#SBATCH --gres=gpu:1", "#SBATCH --cpus-per-task=8", "#SBATCH --partition=gpu",
                           "#SBATCH --time=12:00:00"}) {
    EXPECT_TRUE(has_line(s, line)) << line << " in\n" << s;
  }
  o.sbatch_options = {"--gpus=a100:2", "--cpus-per-task=16"};
  s = array_sbatch(o);
  EXPECT_EQ(s.find("--gres"), std::string::npos) << s;
  EXPECT_EQ(s.find("--cpus-per-task=8"), std::string::npos) << s;
  EXPECT_TRUE(has_line(s, "#SBATCH --gpus=a100:2")) << s;
  const std::string c = collect_sbatch(o);
  EXPECT_EQ(c.find("gpus"), std::string::npos) << "the collect job runs on the CPU: " << c;
  EXPECT_TRUE(has_line(c, "#SBATCH --cpus-per-task=16")) << c;
}

TEST(SlurmJob, CollectRunsAfterAnyTaskEndsAndLogsApart) {
  const SlurmJobOptions o = four_runs();
  const std::string c = collect_sbatch(o);
  EXPECT_TRUE(has_line(c, "exec '/opt/ctcscope/bin/ctcscope' experiment '/shared/exp/t3' --collect")) << c;
  EXPECT_TRUE(has_line(c, "#SBATCH --output=/shared/exp/t3/slurm/logs/collect.log")) << c;
  const std::string submit = submit_script(o);
  EXPECT_NE(submit.find("array=$(sbatch --parsable '/shared/exp/t3/slurm'/array.sbatch)"), std::string::npos) << submit;
  EXPECT_NE(submit.find("sbatch --parsable --dependency=afterany:\"$array\" '/shared/exp/t3/slurm'/collect.sbatch"),
            std::string::npos)
      << submit;
}

TEST(SlurmJob, OptionsAreSbatchFlagsAndPathsMustNotNeedQuoting) {
  EXPECT_EQ(split_sbatch_options("  --partition=gpu\t--time=1:00:00 "),
            (std::vector<std::string>{"--partition=gpu", "--time=1:00:00"}));
  test::expect_error_containing([] { split_sbatch_options("--partition gpu"); }, "'gpu' is not an sbatch option");
  SlurmJobOptions o = four_runs();
  o.experiment_dir = test::fresh_test_dir("ctcscope_test_slurm_job") + "/my exp";
  test::expect_error_containing([&] { write_slurm_files(o); }, "has whitespace or quotes");
  o.experiment_dir = test::fresh_test_dir("ctcscope_test_slurm_job") + "/exp";
  const SlurmFiles f = write_slurm_files(o);
  EXPECT_EQ(read_file_bytes(f.array), array_sbatch(o));
  EXPECT_EQ(read_file_bytes(f.collect), collect_sbatch(o));
  EXPECT_EQ(read_file_bytes(f.submit), submit_script(o));
  EXPECT_TRUE(std::filesystem::is_directory(f.logs)) << "Slurm does not make the logs folder";
}

}  // namespace
}  // namespace ctcscope
