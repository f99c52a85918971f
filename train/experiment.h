// The paper's experiment grid (train/experiment_plan.h) run in three steps
// that a scheduler can spread over a cluster: write the plan, train each run
// of it by index (any order, any machine; a finished run is skipped, an
// unfinished one resumed, each tested on the test split), then collect the
// tables (train/experiment_tables.h). run_experiment is the three in one
// process, the same code path.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "train/experiment_plan.h"
#include "train/experiment_tables.h"
#include "train/trainer.h"

namespace ctcscope {

struct ExperimentResult {
  std::vector<ExperimentRun> runs;
  std::vector<std::string> notes;         // e.g. architectures the registry lacks
  std::string table_markdown, table_csv;  // paths written
  std::string markdown;                   // the table's text
};

// Trains run `index` of the plan in DIR (resuming its folder where it holds
// one) under the folder's lock (train/run_lock.h), then tests its best
// checkpoint into RUN_DIR/test_eval.json. A run already finished and tested
// is skipped. An index outside the plan, or a run that does not finish
// (diverged), is an error naming it.
ExperimentRun run_planned(const std::string& experiment_dir, const ExperimentPlan& plan, std::size_t index,
                          const std::string& command_line, const TrainHooks& hooks = {});

// The tables from every run of the plan, testing finished runs not yet
// tested. A run not finished is an error naming each one and how to run it;
// nothing is written then.
ExperimentResult collect_experiment(const std::string& experiment_dir, const ExperimentPlan& plan);

// plan_experiment, write_plan, run_planned for each run in turn, collect.
// `hooks_for(index, run)` gives each run's hooks (progress printing).
ExperimentResult run_experiment(const ExperimentOptions& options, const std::string& command_line,
                                const std::function<TrainHooks(std::size_t, const PlannedRun&)>& hooks_for);

}  // namespace ctcscope
