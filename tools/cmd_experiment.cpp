// ctcscope experiment: the paper's grid of training runs and its tables.
#include <cstdint>
#include <cstdio>
#include <string>

#include "models/registry.h"
#include "base/split_list.h"
#include "tools/commands.h"
#include "train/experiment.h"

namespace ctcscope::cli {

int run_experiment(const Argv& argv) {
  Args args("experiment",
            "Runs the paper's grid: --grid ablations (Table 3: the seven training-set\n"
            "expansions with --model) or --grid architectures (Table 2: the paper's networks\n"
            "the registry builds, on BF_DAPI), each with --seeds seeds (weight initialisation\n"
            "and data order; the split is fixed). Each run trains into DIR/<model>_<ablation>_seed<k>\n"
            "(finished runs are skipped, unfinished ones resumed), its best checkpoint is tested\n"
            "on the test split, and DIR/table3_ablations.{md,csv,html} or table2_architectures.{md,csv,html}\n"
            "hold accuracy, macro precision/recall/F1, sensitivity and specificity as mean ± std,\n"
            "and the paper's tests on test macro F1 over seeds: BF_noDAPI vs BF_DAPI (ablations),\n"
            "the best architecture by mean F1 against each other one (architectures).\n"
            "--weights DIR takes each model's file from DIR by its name (torchvision's\n"
            "resnet34-b627a593.pth, resnet50-0676ba61.pth, densenet121-a639ec97.pth,\n"
            "efficientnet_b4_rwightman-23ab8bcd.pth: MODEL-* or MODEL_*, .pth or .safetensors);\n"
            "--weights MODEL=FILE,MODEL=FILE names each (timm's model.safetensors). Every model\n"
            "of the grid starts from ImageNet weights, or none does.");
  args.positional("DATASET_DIR", "a folder with manifest.csv");
  args.option("out", "DIR", "", "the experiment folder (required)");
  args.option("grid", "NAME", "ablations", "ablations or architectures");
  args.option("seeds", "N", "5", "seeds per configuration (the paper: 5)");
  args.option("models", "LIST", "", "architectures grid: comma-separated models (default: the paper's that exist)");
  add_training_options(args, TrainingCommand::experiment);
  add_threads_option(args);
  args.example("ctcscope experiment data/synth --out exp/ablations --grid ablations --model resnet50");
  args.example("ctcscope experiment data/synth --out exp/table2 --grid architectures --weights weights/ --device cuda");
  args.example("ctcscope experiment data/synth --out exp/quick --model resnet18 --input 64 --epochs 3 --seeds 2 --max-cells 200");
  if (!args.parse(argv)) return 0;
  usage_check(!args.get("out").empty(), "missing --out DIR");
  apply_threads_option(args);
  ExperimentOptions o;
  o.out_dir = args.get("out");
  try {
    o.grid = experiment_grid_from_name(args.get("grid"));
  } catch (const Error& e) {
    throw UsageError(std::string("--grid: ") + e.what());
  }
  o.seeds = args.get_int("seeds", 1, 1000);
  const std::string models = args.get("models");
  for (const std::string& m : models.empty() ? std::vector<std::string>{} : split_list(models)) {
    usage_check(is_model_name(m), "unknown model '", m, "' in --models (see ctcscope models)");
    o.models.push_back(m);
  }
  TrainConfig c = training_options(args, TrainingCommand::experiment);
  c.dataset_dir = args.get_positional("DATASET_DIR");
  o.base = c;

  std::string command_line = "ctcscope experiment";
  for (const auto& a : argv) command_line += " " + a;
  std::vector<std::string> notes;
  const auto plan = experiment_plan(o, &notes);
  std::printf("experiment: %s grid, %zu runs (%lld seeds each) into %s; %lld epochs, lr %g%s\n", experiment_grid_name(o.grid),
              plan.size(), static_cast<long long>(o.seeds), o.out_dir.c_str(), static_cast<long long>(c.epochs), c.lr,
              c.weights.empty() ? " (from scratch)" : "");
  for (const auto& n : notes) std::printf("note: %s\n", n.c_str());
  for (std::size_t i = 0; i < plan.size(); ++i) {
    if (!plan[i].weights.empty() && (i == 0 || plan[i].model != plan[i - 1].model)) {
      std::printf("weights: %s from %s\n", plan[i].model.c_str(), plan[i].weights.c_str());
    }
  }
  std::size_t index = 0;
  auto hooks_for = [&](const ExperimentRun& r) {
    ++index;
    std::printf("[%zu/%zu] %s %s seed %llu -> %s\n", index, plan.size(), r.model.c_str(), ablation_name(r.ablation),
                static_cast<unsigned long long>(r.seed), r.run_dir.c_str());
    std::fflush(stdout);
    TrainHooks h;
    h.on_message = [](const std::string& line) {
      if (line.rfind("epoch ", 0) == 0) {
        std::printf("    %s\n", line.c_str());
        std::fflush(stdout);
      }
    };
    return h;
  };
  const ExperimentResult result = run_experiment(o, command_line, hooks_for);
  std::size_t skipped = 0;
  for (const auto& r : result.runs) skipped += r.skipped;
  if (skipped) std::printf("%zu runs were finished before and skipped\n", skipped);
  std::printf("\n%s\nwrote %s and %s\n", result.markdown.c_str(), result.table_markdown.c_str(),
              result.table_csv.c_str());
  return 0;
}

}  // namespace ctcscope::cli
