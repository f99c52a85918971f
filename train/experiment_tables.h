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

// Writes DIR/table3_ablations.{md,csv,html} or DIR/table2_architectures.{...}.
ExperimentTables write_experiment_tables(const std::string& experiment_dir, const ExperimentPlan& plan,
                                         const std::vector<ExperimentRun>& runs);

}  // namespace ctcscope
