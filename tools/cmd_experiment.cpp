// ctcscope experiment: the paper's grid of training runs and its tables, in
// one process or as plan, run K and collect steps (a Slurm job array).
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "base/split_list.h"
#include "models/registry.h"
#include "tools/commands.h"
#include "train/experiment.h"
#include "train/run_folder.h"
#include "train/slurm_job.h"

namespace ctcscope::cli {

namespace {

void declare(Args& args) {
  args.positional("FOLDER", "the dataset (a folder with manifest.csv); with --run or --collect the experiment folder");
  args.option("out", "DIR", "", "the experiment folder (required when planning)");
  args.option("grid", "NAME", "ablations", "ablations or architectures");
  args.option("seeds", "N", "5", "seeds per configuration (the paper: 5)");
  args.option("models", "LIST", "", "architectures grid: comma-separated models (default: the paper's that exist)");
  args.option("ablations", "LIST", "", "ablations grid: comma-separated ablations (default: all seven)");
  args.flag("plan", "only write DIR/plan.json (every run: folder, configuration, seed) and print the count");
  args.option("run", "K", "", "train run K of the plan in the experiment folder DIR (resuming it) and test it");
  args.flag("collect", "write the tables of the experiment folder DIR, naming runs not finished");
  args.flag("slurm", "plan, write DIR/slurm/ (a job array, one task per run, and a collect job) and submit");
  args.option("slurm-opts", "OPTS", "", "sbatch options for every job, --name=value words (--partition=gpu --time=8:00:00)");
  args.flag("dry-run", "with --slurm: write the jobs without submitting them (DIR/slurm/submit.sh submits)");
  add_training_options(args, TrainingCommand::experiment);
  add_threads_option(args);
  args.example("ctcscope experiment data/synth --out exp/ablations --grid ablations --model resnet50");
  args.example("ctcscope experiment data/synth --out exp/table2 --grid architectures --weights weights/ --device cuda");
  args.example("ctcscope experiment data/synth --out exp/quick --model resnet18 --input 64 --epochs 3 --seeds 2 --max-cells 200");
  args.example("ctcscope experiment data/synth --out exp/t3 --model resnet50 --device cuda --slurm --slurm-opts \"--partition=gpu --time=12:00:00\"");
  args.example("ctcscope experiment exp/t3 --run 4      (one run; Slurm's array.sbatch does this per task)");
  args.example("ctcscope experiment exp/t3 --collect");
}

ExperimentOptions grid_options(const Args& args) {
  usage_check(!args.get("out").empty(), "missing --out DIR");
  ExperimentOptions o;
  o.out_dir = args.get("out");
  try {
    o.grid = experiment_grid_from_name(args.get("grid"));
  } catch (const Error& e) {
    throw UsageError(std::string("--grid: ") + e.what());
  }
  o.seeds = args.get_int("seeds", 1, 1000);
  const auto list = [&](const char* flag) {
    return args.get(flag).empty() ? std::vector<std::string>{} : split_list(args.get(flag));
  };
  for (const std::string& m : list("models")) {
    usage_check(is_model_name(m), "unknown model '", m, "' in --models (see ctcscope models)");
    o.models.push_back(m);
  }
  for (const std::string& a : list("ablations")) {
    try {
      o.ablations.push_back(ablation_from_name(a));
    } catch (const Error& e) {
      throw UsageError(std::string("--ablations: ") + e.what());
    }
  }
  o.base = training_options(args, TrainingCommand::experiment);
  o.base.dataset_dir = args.get_positional("FOLDER");
  return o;
}

void print_plan(const ExperimentOptions& o, const ExperimentPlan& plan) {
  std::printf("experiment: %s grid, %zu runs (%lld seeds each) into %s; %lld epochs, lr %g%s\n",
              experiment_grid_name(o.grid), plan.runs.size(), static_cast<long long>(o.seeds), o.out_dir.c_str(),
              static_cast<long long>(o.base.epochs), o.base.lr, o.base.weights.empty() ? " (from scratch)" : "");
  for (const auto& n : plan.notes) std::printf("note: %s\n", n.c_str());
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    const TrainConfig& c = plan.runs[i].config;
    if (!c.weights.empty() && (i == 0 || c.model != plan.runs[i - 1].config.model)) {
      std::printf("weights: %s from %s\n", c.model.c_str(), c.weights.c_str());
    }
  }
}

TrainHooks progress_hooks(std::size_t index, std::size_t count, const PlannedRun& r) {
  std::printf("[%zu/%zu] %s %s seed %llu -> %s\n", index + 1, count, r.config.model.c_str(),
              ablation_name(r.config.ablation), static_cast<unsigned long long>(r.config.seed),
              r.config.out_dir.c_str());
  std::fflush(stdout);
  TrainHooks h;
  h.on_message = [](const std::string& line) {  // epoch summaries, a resumption, a stale lock taken over
    const bool shown = line.rfind("epoch ", 0) == 0 || line.rfind("resum", 0) == 0 || line.find("run.lock") != std::string::npos;
    if (!shown) return;
    std::printf("    %s\n", line.c_str());
    std::fflush(stdout);
  };
  return h;
}

void print_tables(const ExperimentResult& result) {
  std::printf("\n%s\nwrote %s and %s\n", result.markdown.c_str(), result.table_markdown.c_str(),
              result.table_csv.c_str());
}

int run_one(const std::string& dir, const Args& args, const std::string& command_line) {
  const ExperimentPlan plan = read_plan(dir);
  const auto index = static_cast<std::size_t>(args.get_int("run", 0, INT32_MAX));
  const ExperimentRun r = run_planned(dir, plan, index, command_line,
                                      index < plan.runs.size() ? progress_hooks(index, plan.runs.size(), plan.runs[index])
                                                               : TrainHooks{});
  std::printf("run %zu %s: test macro F1 %.4f%s\n", index, r.run_dir.c_str(), r.test.macro_f1,
              r.skipped ? " (finished before, skipped)" : "");
  return 0;
}

int slurm(const ExperimentOptions& o, const ExperimentPlan& plan, const Args& args) {
  namespace fs = std::filesystem;
  SlurmJobOptions s;
  s.experiment_dir = fs::absolute(o.out_dir).lexically_normal().string();
  s.ctcscope = fs::read_symlink("/proc/self/exe").string();
  s.workdir = fs::current_path().string();
  s.runs = plan.runs.size();
  try {
    s.sbatch_options = split_sbatch_options(args.get("slurm-opts"));
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  s.gpu = o.base.device == Device::cuda;
  s.cpus_per_task = args.get("threads").empty() ? 0 : static_cast<int>(args.get_int("threads", 1, 1024));
  const SlurmFiles files = write_slurm_files(s);
  std::printf("wrote %s, %s and %s (task logs in %s)\n", files.array.c_str(), files.collect.c_str(),
              files.submit.c_str(), files.logs.c_str());
  if (args.has("dry-run")) {
    std::printf("not submitted (--dry-run): bash %s submits both\n", files.submit.c_str());
  } else {
    std::printf("%s", submit_slurm_jobs(files).c_str());
  }
  return 0;
}

}  // namespace

int run_experiment(const Argv& argv) {
  Args args("experiment",
            "Runs the paper's grid: --grid ablations (Table 3: the seven training-set\n"
            "expansions with --model, or --ablations) or --grid architectures (Table 2: the\n"
            "paper's networks the registry builds, on BF_DAPI), each with --seeds seeds (weight\n"
            "initialisation and data order; the split is fixed). DIR/plan.json lists every run;\n"
            "each trains into DIR/<model>_<ablation>_seed<k> (finished runs are skipped,\n"
            "unfinished ones resumed), its best checkpoint is tested on the test split, and\n"
            "DIR/table3_ablations.{md,csv,html} or table2_architectures.{md,csv,html} hold\n"
            "accuracy, macro precision/recall/F1, sensitivity and specificity as mean ± std, and\n"
            "the paper's tests on test macro F1 over seeds: BF_noDAPI vs BF_DAPI (ablations),\n"
            "the best architecture by mean F1 against each other one (architectures).\n"
            "The same in steps, for a cluster: --plan, then --run K for each run (anywhere,\n"
            "in any order, one process per run folder), then --collect; --slurm does it as a\n"
            "Slurm job array and a collect job that waits for it.\n"
            "--weights DIR takes each model's file from DIR by its name (torchvision's\n"
            "resnet34-b627a593.pth, resnet50-0676ba61.pth, densenet121-a639ec97.pth,\n"
            "efficientnet_b4_rwightman-23ab8bcd.pth: MODEL-* or MODEL_*, .pth or .safetensors);\n"
            "--weights MODEL=FILE,MODEL=FILE names each (timm's model.safetensors). Every model\n"
            "of the grid starts from ImageNet weights, or none does.");
  declare(args);
  if (!args.parse(argv)) return 0;
  apply_threads_option(args);
  std::string command_line = "ctcscope experiment";
  for (const auto& a : argv) command_line += " " + a;
  const std::string dir = args.get_positional("FOLDER");
  const bool run = !args.get("run").empty(), collect = args.has("collect");
  usage_check(!(run && collect), "--run and --collect are two steps: give one");
  if (run || collect) {
    usage_check(!args.has("out") && !args.has("plan") && !args.has("slurm"), run ? "--run" : "--collect",
                " takes the experiment folder DIR alone: its plan.json holds the options");
    if (run) return run_one(dir, args, command_line);
    print_tables(collect_experiment(dir, read_plan(dir)));
    return 0;
  }
  usage_check(!args.has("dry-run") || args.has("slurm"), "--dry-run goes with --slurm");
  usage_check(args.get("slurm-opts").empty() || args.has("slurm"), "--slurm-opts goes with --slurm");
  usage_check(!(args.has("plan") && args.has("slurm")), "--slurm writes the plan itself: give --plan or --slurm");
  const ExperimentOptions o = grid_options(args);
  const ExperimentPlan plan = plan_experiment(o);
  print_plan(o, plan);
  if (args.has("plan") || args.has("slurm")) {
    make_dirs(o.out_dir);
    write_plan(o.out_dir, plan);
    std::printf("wrote %s: %zu runs (ctcscope experiment %s --run K, K = 0 to %zu)\n", plan_path(o.out_dir).c_str(),
                plan.runs.size(), o.out_dir.c_str(), plan.runs.size() - 1);
    return args.has("slurm") ? slurm(o, plan, args) : 0;
  }
  const ExperimentResult result = run_experiment(
      o, command_line, [&](std::size_t k, const PlannedRun& r) { return progress_hooks(k, plan.runs.size(), r); });
  std::size_t skipped = 0;
  for (const auto& r : result.runs) skipped += r.skipped;
  if (skipped) std::printf("%zu runs were finished before and skipped\n", skipped);
  print_tables(result);
  return 0;
}

}  // namespace ctcscope::cli
