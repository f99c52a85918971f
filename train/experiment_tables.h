// The experiment's tables from its finished runs: one row per configuration
// (architecture x ablation) of test metrics as mean ± std over seeds, in
// Markdown, CSV and HTML, with the paper's statistics on test macro F1:
// BF_noDAPI vs BF_DAPI (ablations), the best architecture by mean F1 against
// each other one (architectures).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/metrics.h"
#include "eval/report.h"
#include "train/experiment_plan.h"
#include "train/run_folder.h"

namespace ctcscope {

// A run of the plan and, once tested, its test metrics.
struct ExperimentRun {
  std::size_t index = 0;  // in the plan
  std::string model;
  std::string weights;  // the ImageNet weights file it starts from ("" = from scratch)
  Ablation ablation = kDefaultAblation;
  std::uint64_t seed = 0;
  std::string run_dir;
  RunStatus status = RunStatus::running;
  bool skipped = false;  // finished and tested before this invocation
  Metrics test;
  double auc = 0;
};

struct ExperimentTables {
  std::string markdown;                    // the Markdown table's text
  std::string markdown_path, csv_path, html_path;
};

// Each configuration with two seeds or more, its seeds voting as one model
// (train/ensemble.h: their best checkpoints' probabilities averaged) on the
// test split at 0.5, as the row "<configuration> ensemble of N seeds".
// Loads every run's best.safetensors and predicts its test cells; a
// configuration whose runs lack their checkpoint or split.csv (deleted to
// save room) gets a note instead of a row.
std::vector<ConfigScores> ensemble_rows(const ExperimentPlan& plan, const std::vector<ExperimentRun>& runs,
                                        std::vector<std::string>* notes);

// Writes DIR/table3_ablations.{md,csv,html} or DIR/table2_architectures.{...};
// each ensemble row (ensemble_rows) under its configuration's. The
// comparisons are between the per-seed rows only.
ExperimentTables write_experiment_tables(const std::string& experiment_dir, const ExperimentPlan& plan,
                                         const std::vector<ExperimentRun>& runs,
                                         const std::vector<ConfigScores>& ensembles = {});

}  // namespace ctcscope
