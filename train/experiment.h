// The paper's experiment grid: architectures x ablations x seeds (Tables 2
// and 3), each run in its own sub-folder (finished runs are skipped, others
// resumed), its best checkpoint tested on the test split, and one table per
// grid of mean ± std over seeds in Markdown, CSV and HTML, with the paper's
// statistics (BF_noDAPI vs BF_DAPI; the best architecture vs each other).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eval/metrics.h"
#include "train/run_folder.h"
#include "train/train_config.h"
#include "train/trainer.h"

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
};

struct ExperimentRun {
  std::string model;
  std::string weights;  // the ImageNet weights file it starts from ("" = from scratch)
  Ablation ablation = kDefaultAblation;
  std::uint64_t seed = 0;
  std::string run_dir;
  RunStatus status = RunStatus::running;
  bool skipped = false;  // finished before this invocation
  Metrics test;
  double auc = 0;
};

struct ExperimentResult {
  std::vector<ExperimentRun> runs;
  std::vector<std::string> notes;  // e.g. architectures the registry lacks
  std::string table_markdown, table_csv;  // paths written
  std::string markdown;                   // the table's text
};

// The runs of the grid, in order, without running them. Resolves each run's
// weights file (train/weights_files.h), so a bad --weights stops the
// experiment before its first run.
std::vector<ExperimentRun> experiment_plan(const ExperimentOptions& options, std::vector<std::string>* notes);

// `hooks_for(run)` gives each run's hooks (progress printing).
ExperimentResult run_experiment(const ExperimentOptions& options, const std::string& command_line,
                                const std::function<TrainHooks(const ExperimentRun&)>& hooks_for);

}  // namespace ctcscope
