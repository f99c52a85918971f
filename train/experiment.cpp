// The experiment grid's steps: run one planned run, collect, or all in turn.
#include "train/experiment.h"

#include <cmath>

#include "base/error.h"
#include "base/file_util.h"
#include "base/json.h"
#include "train/checkpoint_eval.h"
#include "train/run_folder.h"
#include "train/run_lock.h"

namespace ctcscope {

namespace {

std::string test_eval_path(const std::string& run_dir) { return run_dir + "/test_eval.json"; }

// run.json's status; running where the run has not started.
RunStatus recorded_status(const std::string& run_json) {
  if (!file_exists(run_json)) return RunStatus::running;
  JsonValue v = json_parse(read_file_bytes(run_json), run_json);
  const JsonValue* s = v.find("status");
  if (!s || !s->is_string()) return RunStatus::running;
  try {
    return run_status_from_name(s->as_string());
  } catch (const Error& e) {
    CTC_FAIL(run_json, ": 'status' ", e.what());
  }
}

double get_number(const JsonValue& v, const char* key, const std::string& path) {
  const JsonValue* m = v.find(key);
  CTC_CHECK_INPUT(m && m->is_number(), path, ": missing number '", key, "'");
  return m->as_number();
}

// Reads back the metrics test_eval.json holds (what checkpoint_eval_json wrote).
void read_test_metrics(const std::string& path, ExperimentRun& r) {
  JsonValue v = json_parse(read_file_bytes(path), path);
  r.test.n = static_cast<std::int64_t>(get_number(v, "n", path));
  r.test.accuracy = get_number(v, "accuracy", path);
  r.test.macro_precision = get_number(v, "macro_precision", path);
  r.test.macro_recall = get_number(v, "macro_recall", path);
  r.test.macro_f1 = get_number(v, "macro_f1", path);
  r.test.sensitivity = get_number(v, "sensitivity", path);
  r.test.specificity = get_number(v, "specificity", path);
  const JsonValue* auc = v.find("roc_auc");  // null where undefined (one class only)
  r.auc = auc && auc->is_null() ? std::nan("") : get_number(v, "roc_auc", path);
}

ExperimentRun describe(const ExperimentPlan& plan, std::size_t index) {
  const TrainConfig& c = plan.runs[index].config;
  ExperimentRun r;
  r.index = index;
  r.model = c.model;
  r.weights = c.weights;
  r.ablation = c.ablation;
  r.seed = c.seed;
  r.run_dir = c.out_dir;
  r.status = recorded_status(RunPaths{c.out_dir}.run_record());
  return r;
}

// Tests the run's best checkpoint on its test split into test_eval.json.
void test_run(const TrainConfig& c, ExperimentRun& r) {
  const RunPaths paths{c.out_dir};
  const CheckpointEval e = evaluate_checkpoint(paths.best(), c.dataset_dir, paths.split());
  write_file_atomic(test_eval_path(c.out_dir), checkpoint_eval_json(e));
  r.test = e.metrics;
  r.auc = e.auc;
}

// Why a run cannot be collected yet, and how to go on.
std::string missing_reason(const std::string& experiment_dir, const ExperimentRun& r) {
  std::string s = "run " + std::to_string(r.index) + " (" + r.run_dir + "): ";
  if (!file_exists(r.run_dir)) return s + "not started";
  const bool locked = file_exists(r.run_dir + "/run.lock");
  if (r.status == RunStatus::running && !locked) {
    s += "unfinished, and no task holds it (its process ended early: killed?)";
  } else {
    s += std::string(run_status_name(r.status)) + (locked ? ", and a task holds its run.lock" : "");
  }
  return s + "; run it with: ctcscope experiment " + experiment_dir + " --run " + std::to_string(r.index);
}

}  // namespace

ExperimentRun run_planned(const std::string& experiment_dir, const ExperimentPlan& plan, std::size_t index,
                          const std::string& command_line, const TrainHooks& hooks) {
  CTC_CHECK_INPUT(index < plan.runs.size(), plan_path(experiment_dir), ": run ", index, " is out of range: the plan has ",
                  plan.runs.size(), " runs (0 to ", plan.runs.size() - 1, ")");
  const TrainConfig& c = plan.runs[index].config;
  const RunLock lock(c.out_dir, hooks.on_message);
  ExperimentRun r = describe(plan, index);
  if (run_finished(r.status) && file_exists(test_eval_path(c.out_dir))) {
    read_test_metrics(test_eval_path(c.out_dir), r);
    r.skipped = true;
    return r;
  }
  if (!run_finished(r.status)) {
    const bool resume = file_exists(RunPaths{c.out_dir}.config());
    const TrainOutcome out = train_run(c, resume, command_line, hooks);
    r.status = out.status;
    CTC_CHECK_INPUT(run_finished(out.status), c.out_dir, ": ", out.message);
  }
  test_run(c, r);
  return r;
}

ExperimentResult collect_experiment(const std::string& experiment_dir, const ExperimentPlan& plan) {
  ExperimentResult result;
  result.notes = plan.notes;
  std::string missing;
  for (std::size_t k = 0; k < plan.runs.size(); ++k) {
    ExperimentRun r = describe(plan, k);
    if (!run_finished(r.status)) {
      missing += "\n  " + missing_reason(experiment_dir, r);
    } else if (file_exists(test_eval_path(r.run_dir))) {
      read_test_metrics(test_eval_path(r.run_dir), r);
    } else {
      test_run(plan.runs[k].config, r);
    }
    result.runs.push_back(r);
  }
  CTC_CHECK_INPUT(missing.empty(), experiment_dir, ": cannot collect the tables, runs not finished:", missing);
  ExperimentPlan shown = plan;  // with a note for each ensemble row left out
  const std::vector<ConfigScores> ensembles = ensemble_rows(plan, result.runs, &shown.notes);
  const ExperimentTables t = write_experiment_tables(experiment_dir, shown, result.runs, ensembles);
  result.markdown = t.markdown;
  result.table_markdown = t.markdown_path;
  result.table_csv = t.csv_path;
  return result;
}

ExperimentResult run_experiment(const ExperimentOptions& o, const std::string& command_line,
                                const std::function<TrainHooks(std::size_t, const PlannedRun&)>& hooks_for) {
  make_dirs(o.out_dir);
  write_plan(o.out_dir, plan_experiment(o));
  const ExperimentPlan plan = read_plan(o.out_dir);
  std::vector<bool> skipped;
  for (std::size_t k = 0; k < plan.runs.size(); ++k) {
    const TrainHooks hooks = hooks_for ? hooks_for(k, plan.runs[k]) : TrainHooks{};
    skipped.push_back(run_planned(o.out_dir, plan, k, command_line, hooks).skipped);
  }
  ExperimentResult result = collect_experiment(o.out_dir, plan);
  for (std::size_t k = 0; k < skipped.size(); ++k) result.runs[k].skipped = skipped[k];
  return result;
}

}  // namespace ctcscope
