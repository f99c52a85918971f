// The experiment grid's plan: every run of the paper's grid (architectures x
// ablations x seeds, Tables 2 and 3) with its folder and complete training
// configuration, decided once and stored as DIR/plan.json. Whatever runs the
// grid (one process in turn, or a Slurm job array, one task per run) reads
// the same plan, so run K means the same training everywhere.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "train/train_config.h"

namespace ctcscope {

// The paper's two grids.
enum class ExperimentGrid {
  ablations,      // Table 3: the seven training-set expansions with base.model
  architectures,  // Table 2: the paper's networks on BF_DAPI
};
const char* experiment_grid_name(ExperimentGrid grid);              // "ablations", "architectures"
ExperimentGrid experiment_grid_from_name(const std::string& name);  // throws Error listing the names

struct ExperimentOptions {
  TrainConfig base;                 // dataset_dir, epochs, lr, ...; model/ablation/seed/out_dir set per run;
                                    // base.weights as weights_files reads it, resolved per model
  std::string out_dir;
  ExperimentGrid grid = ExperimentGrid::ablations;
  std::int64_t seeds = 5;           // seeds 0 .. seeds-1
  std::vector<std::string> models;  // architectures grid; empty: the paper's that the registry has
  std::vector<Ablation> ablations;  // ablations grid; empty: all seven
};

// One training run of the grid.
struct PlannedRun {
  std::string folder;  // under the experiment folder: <model>_<ablation>_seed<k>
  TrainConfig config;  // complete: model, weights file, ablation, seed, out_dir = DIR/folder
};

struct ExperimentPlan {
  ExperimentGrid grid = ExperimentGrid::ablations;
  std::int64_t seeds = 0;
  std::string model;               // the ablations grid's model (its comparison names rows by it)
  std::vector<std::string> notes;  // e.g. architectures the registry lacks
  std::vector<PlannedRun> runs;    // in the grid's order: configuration, then seed
};

// The runs of the grid, in order, without running them. Resolves each run's
// weights file (train/weights_files.h), so a bad --weights stops the
// experiment before its first run.
ExperimentPlan plan_experiment(const ExperimentOptions& options);

// plan.json's own format; a plan written by another version of ctcscope or
// in another format is refused naming both (its runs could differ).
inline constexpr int kPlanFormat = 1;
std::string plan_path(const std::string& experiment_dir);  // DIR/plan.json
void write_plan(const std::string& experiment_dir, const ExperimentPlan& plan);
// Each run's out_dir is DIR/folder for the DIR given, wherever it was planned.
ExperimentPlan read_plan(const std::string& experiment_dir);

}  // namespace ctcscope
