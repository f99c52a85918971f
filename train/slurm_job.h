// The experiment grid as Slurm jobs: DIR/slurm/array.sbatch (a job array,
// task K runs `ctcscope experiment DIR --run K`), DIR/slurm/collect.sbatch
// (`ctcscope experiment DIR --collect`), and DIR/slurm/submit.sh, which
// submits the array and then the collect job with an afterany dependency on
// it (it runs when every task has ended, failed or not, and names the runs
// missing). Each task logs to DIR/slurm/logs/run-K.log, appended to when the
// task is resubmitted (`sbatch --array=K DIR/slurm/array.sbatch`), which
// resumes a run the scheduler killed. The nodes must see DIR, the dataset
// and the ctcscope binary at the same paths (a shared file system).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace ctcscope {

struct SlurmJobOptions {
  std::string experiment_dir;               // absolute
  std::string ctcscope;                     // the binary the tasks run, absolute
  std::string workdir;                      // the tasks' working folder: the plan's relative paths start here
  std::size_t runs = 0;                     // the plan's run count: tasks 0 .. runs-1
  std::vector<std::string> sbatch_options;  // one #SBATCH line each (--partition=gpu, --time=04:00:00, ...)
  bool gpu = false;                         // --device cuda: --gres=gpu:1 per task unless the options ask
  int cpus_per_task = 0;                    // --threads; 0: Slurm's default (the options may say)
};

// --slurm-opts "--partition=gpu --time=4:00:00": words split at whitespace,
// each an sbatch option starting with '-'; anything else is an error naming it.
std::vector<std::string> split_sbatch_options(const std::string& text);

std::string array_sbatch(const SlurmJobOptions& options);
std::string collect_sbatch(const SlurmJobOptions& options);
std::string submit_script(const SlurmJobOptions& options);

struct SlurmFiles {
  std::string array, collect, submit, logs;
};
// Writes the three files (and makes the logs folder, which Slurm does not).
// Paths with whitespace or quotes are refused: #SBATCH lines cannot quote.
SlurmFiles write_slurm_files(const SlurmJobOptions& options);

// Runs submit.sh; its output (the job ids) or an error with sbatch's message.
std::string submit_slurm_jobs(const SlurmFiles& files);

}  // namespace ctcscope
