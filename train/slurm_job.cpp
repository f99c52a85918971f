// The sbatch files of an experiment, and their submission.
#include "train/slurm_job.h"

#include <cstdio>
#include <sstream>

#include "base/error.h"
#include "base/file_util.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

bool asks_for_gpus(const std::string& option) {
  return starts_with(option, "--gres") || starts_with(option, "--gpus") || starts_with(option, "-G");
}

bool asks_for_cpus(const std::string& option) {
  return starts_with(option, "--cpus-per-task") || starts_with(option, "-c");
}

std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char ch : s) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string slurm_dir(const SlurmJobOptions& o) { return o.experiment_dir + "/slurm"; }

std::string job_name(const SlurmJobOptions& o) {
  const std::size_t slash = o.experiment_dir.find_last_of('/');
  return "ctcscope-" + (slash == std::string::npos ? o.experiment_dir : o.experiment_dir.substr(slash + 1));
}

// The lines every job shares: where it runs, and the user's options.
void common_lines(std::ostringstream& s, const SlurmJobOptions& o, bool with_gpu_options) {
  s << "#SBATCH --chdir=" << o.workdir << "\n";
  s << "#SBATCH --open-mode=append\n";
  for (const auto& opt : o.sbatch_options) {
    if (with_gpu_options || !asks_for_gpus(opt)) s << "#SBATCH " << opt << "\n";
  }
}

// ctcscope's threads follow the CPUs Slurm gave the task (else it would take every core of the node).
const char* const kThreadsLine = "export OMP_NUM_THREADS=\"${SLURM_CPUS_PER_TASK:-1}\"\n";

void check_path(const std::string& what, const std::string& path) {
  CTC_CHECK_INPUT(path.find_first_of(" \t\n'\"\\") == std::string::npos, what, " '", path,
                  "' has whitespace or quotes, which #SBATCH lines cannot hold: choose a plain path");
}

}  // namespace

std::vector<std::string> split_sbatch_options(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string word; in >> word;) {
    CTC_CHECK_INPUT(word[0] == '-', "--slurm-opts: '", word,
                    "' is not an sbatch option (each word starts with '-', e.g. --partition=gpu)");
    out.push_back(word);
  }
  return out;
}

std::string array_sbatch(const SlurmJobOptions& o) {
  CTC_CHECK(o.runs >= 1, "an array needs a run");
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# ctcscope experiment " << o.experiment_dir << ": one array task per run of its plan.json.\n"
    << "# Task K trains run K (resuming its folder) and tests it. To rerun task K\n"
    << "# (killed by a time limit or preemption, it resumes from its last epoch):\n"
    << "#   sbatch --array=K " << slurm_dir(o) << "/array.sbatch\n"
    << "#SBATCH --job-name=" << job_name(o) << "\n"
    << "#SBATCH --array=0-" << o.runs - 1 << "\n"
    << "#SBATCH --output=" << slurm_dir(o) << "/logs/run-%a.log\n";
  common_lines(s, o, true);
  bool gpus = false, cpus = false;
  for (const auto& opt : o.sbatch_options) {
    gpus = gpus || asks_for_gpus(opt);
    cpus = cpus || asks_for_cpus(opt);
  }
  if (o.gpu && !gpus) s << "#SBATCH --gres=gpu:1\n";
  if (o.cpus_per_task > 0 && !cpus) s << "#SBATCH --cpus-per-task=" << o.cpus_per_task << "\n";
  s << kThreadsLine
    << "exec " << quoted(o.ctcscope) << " experiment " << quoted(o.experiment_dir)
    << " --run \"$SLURM_ARRAY_TASK_ID\"\n";
  return s.str();
}

std::string collect_sbatch(const SlurmJobOptions& o) {
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# ctcscope experiment " << o.experiment_dir << ": the tables once every array task has ended\n"
    << "# (submitted with --dependency=afterany on the array; on the CPU, so no GPU options).\n"
    << "#SBATCH --job-name=" << job_name(o) << "-collect\n"
    << "#SBATCH --output=" << slurm_dir(o) << "/logs/collect.log\n";
  common_lines(s, o, false);
  s << kThreadsLine << "exec " << quoted(o.ctcscope) << " experiment " << quoted(o.experiment_dir) << " --collect\n";
  return s.str();
}

std::string submit_script(const SlurmJobOptions& o) {
  const std::string dir = quoted(slurm_dir(o));
  std::ostringstream s;
  s << "#!/bin/bash\n"
    << "# Submits the experiment's job array, then its collect job, which starts once\n"
    << "# every task has ended (afterany: also when some failed; it names the runs missing).\n"
    << "set -euo pipefail\n"
    << "array=$(sbatch --parsable " << dir << "/array.sbatch)\n"
    << "array=${array%%;*}  # --parsable prints id;cluster on a federation\n"
    << "collect=$(sbatch --parsable --dependency=afterany:\"$array\" " << dir << "/collect.sbatch)\n"
    << "collect=${collect%%;*}\n"
    << "echo \"array job $array (" << o.runs << " tasks), collect job $collect\"\n";
  return s.str();
}

SlurmFiles write_slurm_files(const SlurmJobOptions& o) {
  check_path("the experiment folder", o.experiment_dir);
  check_path("the working folder", o.workdir);
  check_path("the ctcscope binary", o.ctcscope);
  SlurmFiles f;
  f.logs = slurm_dir(o) + "/logs";
  make_dirs(f.logs);
  f.array = slurm_dir(o) + "/array.sbatch";
  f.collect = slurm_dir(o) + "/collect.sbatch";
  f.submit = slurm_dir(o) + "/submit.sh";
  write_file_atomic(f.array, array_sbatch(o));
  write_file_atomic(f.collect, collect_sbatch(o));
  write_file_atomic(f.submit, submit_script(o));
  return f;
}

std::string submit_slurm_jobs(const SlurmFiles& files) {
  const std::string command = "bash " + files.submit + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  CTC_CHECK_INPUT(pipe, files.submit, ": cannot run it");
  std::string output;
  char buf[512];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) output.append(buf, n);
  const int status = ::pclose(pipe);
  CTC_CHECK_INPUT(status == 0, files.submit, ": submission failed (is Slurm's sbatch on the PATH?): ", output);
  return output;
}

}  // namespace ctcscope
