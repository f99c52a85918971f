// The experiment grid: plan, run or skip each run, test it, tabulate.
#include "train/experiment.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "base/file_util.h"
#include "eval/report.h"
#include "eval/statistics.h"
#include "models/registry.h"
#include "base/error.h"
#include "base/json.h"
#include "train/checkpoint_eval.h"
#include "train/enum_names.h"
#include "train/weights_files.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

// Table 2's architectures, in the paper's order.
const char* const kPaperArchitectures[] = {"densenet121", "efficientnet_b4", "resnet50", "resnet34"};

std::string run_name(const ExperimentRun& r) {
  return r.model + "_" + ablation_name(r.ablation) + "_seed" + std::to_string(r.seed);
}

constexpr EnumName<ExperimentGrid> kGridNames[] = {{ExperimentGrid::ablations, "ablations"},
                                                    {ExperimentGrid::architectures, "architectures"}};

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


}  // namespace

const char* experiment_grid_name(ExperimentGrid grid) { return enum_name(kGridNames, grid); }
ExperimentGrid experiment_grid_from_name(const std::string& name) { return enum_from_name(kGridNames, name); }

std::vector<ExperimentRun> experiment_plan(const ExperimentOptions& o, std::vector<std::string>* notes) {
  CTC_CHECK_INPUT(o.seeds >= 1, "experiment needs at least 1 seed");
  std::vector<std::pair<std::string, Ablation>> configs;
  if (o.grid == ExperimentGrid::ablations) {
    for (Ablation a : all_ablations()) configs.emplace_back(o.base.model, a);
  } else {
    std::vector<std::string> models = o.models;
    if (models.empty()) {
      for (const char* m : kPaperArchitectures) {
        if (is_model_name(m)) models.emplace_back(m);
        else if (notes) notes->push_back(std::string(m) + ": not built by this version's registry, left out of the grid");
      }
    }
    for (const auto& m : models) {
      CTC_CHECK_INPUT(is_model_name(m), "unknown model '", m, "' (see ctcscope models)");
      configs.emplace_back(m, kDefaultAblation);
    }
  }
  std::vector<std::string> grid_models;
  for (const auto& [model, ablation] : configs) {
    if (std::find(grid_models.begin(), grid_models.end(), model) == grid_models.end()) grid_models.push_back(model);
  }
  const std::map<std::string, std::string> weights = weights_files(o.base.weights, grid_models);
  std::vector<ExperimentRun> plan;
  for (const auto& [model, ablation] : configs) {
    for (std::int64_t s = 0; s < o.seeds; ++s) {
      ExperimentRun r;
      r.model = model;
      if (const auto w = weights.find(model); w != weights.end()) r.weights = w->second;
      r.ablation = ablation;
      r.seed = static_cast<std::uint64_t>(s);
      r.run_dir = o.out_dir + "/" + run_name(r);
      plan.push_back(r);
    }
  }
  return plan;
}

ExperimentResult run_experiment(const ExperimentOptions& o, const std::string& command_line,
                                const std::function<TrainHooks(const ExperimentRun&)>& hooks_for) {
  ExperimentResult result;
  result.runs = experiment_plan(o, &result.notes);
  make_dirs(o.out_dir);
  for (auto& r : result.runs) {
    const RunPaths paths{r.run_dir};
    const std::string test_json = r.run_dir + "/test_eval.json";
    if (const RunStatus s = recorded_status(paths.run_record()); run_finished(s) && file_exists(test_json)) {
      read_test_metrics(test_json, r);
      r.skipped = true;
      r.status = s;
      continue;
    }
    TrainConfig c = o.base;
    c.model = r.model;
    c.weights = r.weights;
    c.ablation = r.ablation;
    c.seed = r.seed;
    c.out_dir = r.run_dir;
    const bool resume = file_exists(paths.config());
    TrainOutcome out = train_run(c, resume, command_line, hooks_for ? hooks_for(r) : TrainHooks{});
    r.status = out.status;
    CTC_CHECK_INPUT(run_finished(out.status), r.run_dir, ": ", out.message);
    CheckpointEval e = evaluate_checkpoint(paths.best(), c.dataset_dir, paths.split());
    write_file_atomic(test_json, checkpoint_eval_json(e));
    r.test = e.metrics;
    r.auc = e.auc;
  }

  // One row per configuration (architecture x ablation): mean ± std over seeds.
  std::vector<ConfigScores> configs;  // in the order the runs come
  for (const auto& r : result.runs) {
    const std::string name = r.model + " " + ablation_name(r.ablation);
    auto it = std::find_if(configs.begin(), configs.end(), [&](const ConfigScores& c) { return c.name == name; });
    if (it == configs.end()) it = configs.insert(configs.end(), ConfigScores{name, {}});
    it->runs.push_back(r.test);
  }
  const char* title = o.grid == ExperimentGrid::ablations ? "Table 3 (ablations)" : "Table 2 (architectures)";
  const std::string heading = std::string(title) + ": test metrics, mean ± std over " + std::to_string(o.seeds) + " seeds";
  std::ostringstream md;
  md << "# " << heading << "\n\n" << markdown_table(configs);
  HtmlReport html(std::string("ctcscope experiment: ") + title);
  html.heading(heading);
  html.metrics_table(configs);
  // Test macro F1 over seeds, a against b, with the paper's tests (section 4.3).
  auto add_comparison = [&](const std::string& name_a, const std::vector<double>& a, const std::string& name_b,
                            const std::vector<double>& b) {
    const std::string compare_title = name_a + " vs " + name_b + " (test macro F1 over seeds)";
    md << "\n## " << compare_title << "\n\n";
    html.heading(compare_title);
    if (a.size() >= 2 && b.size() >= 2) {
      const std::string text = comparison_text(compare_samples(a, b), name_a, name_b);
      md << "```\n" << text << "```\n";
      html.preformatted(text);
    } else {
      md << "Needs at least 2 seeds per configuration.\n";
      html.paragraph("Needs at least 2 seeds per configuration.");
    }
  };
  auto f1s = [&](const ConfigScores& c) {
    std::vector<double> v;
    for (const Metrics& m : c.runs) v.push_back(m.macro_f1);
    return v;
  };
  if (o.grid == ExperimentGrid::ablations) {
    // The paper's comparison: the DAPI images' contribution.
    const std::string no_dapi = o.base.model + " " + ablation_name(Ablation::bf_no_dapi);
    const std::string dapi = o.base.model + " " + ablation_name(Ablation::bf_dapi);
    const auto find = [&](const std::string& name) {
      return *std::find_if(configs.begin(), configs.end(), [&](const ConfigScores& c) { return c.name == name; });
    };
    add_comparison("BF_noDAPI", f1s(find(no_dapi)), "BF_DAPI", f1s(find(dapi)));
  } else if (configs.size() >= 2) {
    // As the paper's conclusion: the best architecture (highest mean test macro F1) against each other one.
    auto mean_f1 = [&](const ConfigScores& c) { return mean_std(f1s(c)).mean; };
    const ConfigScores& best = *std::max_element(configs.begin(), configs.end(), [&](const auto& x, const auto& y) {
      return mean_f1(x) < mean_f1(y);
    });
    for (const auto& c : configs) {
      if (&c != &best) add_comparison(best.name, f1s(best), c.name, f1s(c));
    }
  }
  for (const auto& n : result.notes) {
    md << "\nNote: " << n << "\n";
    html.paragraph("Note: " + n);
  }
  result.markdown = md.str();
  const std::string stem = o.out_dir + "/" + (o.grid == ExperimentGrid::ablations ? "table3_ablations" : "table2_architectures");
  result.table_markdown = stem + ".md";
  result.table_csv = stem + ".csv";
  write_file_atomic(result.table_markdown, result.markdown);
  write_file_atomic(result.table_csv, csv_table(configs));
  write_file_atomic(stem + ".html", html.html());
  return result;
}

}  // namespace ctcscope
