// The experiment grid: plan, run or skip each run, test it, tabulate.
#include "train/experiment.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "data/file_util.h"
#include "eval/statistics.h"
#include "models/registry.h"
#include "tensor/error.h"
#include "tensor/json.h"
#include "train/checkpoint_eval.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

// Table 2's architectures, in the paper's order.
const char* const kPaperArchitectures[] = {"densenet121", "efficientnet_b4", "resnet50", "resnet34"};

std::string run_name(const ExperimentRun& r) {
  return r.model + "_" + ablation_name(r.ablation) + "_seed" + std::to_string(r.seed);
}

bool finished(const std::string& run_json) {
  if (!file_exists(run_json)) return false;
  JsonValue v = json_parse(read_file_bytes(run_json), run_json);
  const JsonValue* s = v.find("status");
  return s && s->is_string() && (s->as_string() == "completed" || s->as_string() == "early_stopped");
}

double get_number(const JsonValue& v, const char* key, const std::string& path) {
  const JsonValue* m = v.find(key);
  CTC_CHECK(m && m->is_number(), path, ": missing number '", key, "'");
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
  r.auc = get_number(v, "roc_auc", path);
}

std::string pm(const std::vector<double>& values) {
  MeanStd s = mean_std(values);
  char buf[64];
  if (s.n < 2 || std::isnan(s.std)) std::snprintf(buf, sizeof buf, "%.4f", s.mean);
  else std::snprintf(buf, sizeof buf, "%.4f ± %.4f", s.mean, s.std);
  return buf;
}

}  // namespace

std::vector<ExperimentRun> experiment_plan(const ExperimentOptions& o, std::vector<std::string>* notes) {
  CTC_CHECK(o.grid == "ablations" || o.grid == "architectures", "experiment grid must be ablations or architectures, got '",
            o.grid, "'");
  CTC_CHECK(o.seeds >= 1, "experiment needs at least 1 seed");
  std::vector<std::pair<std::string, Ablation>> configs;
  if (o.grid == "ablations") {
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
      CTC_CHECK(is_model_name(m), "unknown model '", m, "' (see ctcscope models)");
      configs.emplace_back(m, kDefaultAblation);
    }
  }
  std::vector<ExperimentRun> plan;
  for (const auto& [model, ablation] : configs) {
    for (std::int64_t s = 0; s < o.seeds; ++s) {
      ExperimentRun r;
      r.model = model;
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
    if (finished(paths.run_record()) && file_exists(test_json)) {
      read_test_metrics(test_json, r);
      r.skipped = true;
      r.status = "finished before";
      continue;
    }
    TrainConfig c = o.base;
    c.model = r.model;
    c.ablation = r.ablation;
    c.seed = r.seed;
    c.out_dir = r.run_dir;
    const bool resume = file_exists(paths.config());
    TrainOutcome out = train_run(c, resume, command_line, hooks_for ? hooks_for(r) : TrainHooks{});
    r.status = out.status;
    CTC_CHECK(out.status != "diverged", r.run_dir, ": ", out.message);
    CTC_CHECK(out.status != "interrupted", r.run_dir, ": ", out.message);
    CheckpointEval e = evaluate_checkpoint(paths.best(), c.dataset_dir, paths.split());
    write_file_atomic(test_json, checkpoint_eval_json(e));
    r.test = e.metrics;
    r.auc = e.auc;
  }

  // One row per configuration: mean ± std over seeds.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const ExperimentRun*>> by_config;
  for (const auto& r : result.runs) {
    const std::string key = r.model + " " + ablation_name(r.ablation);
    if (!by_config.count(key)) order.push_back(key);
    by_config[key].push_back(&r);
  }
  const char* title = o.grid == "ablations" ? "Table 3 (ablations)" : "Table 2 (architectures)";
  std::ostringstream md, csv;
  md << "# " << title << ": test metrics, mean ± std over " << o.seeds << " seeds\n\n"
     << "| model | ablation | seeds | accuracy | macro precision | macro recall | macro F1 | sensitivity | specificity |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  csv << "model,ablation,seeds,accuracy_mean,accuracy_std,macro_precision_mean,macro_precision_std,"
         "macro_recall_mean,macro_recall_std,macro_f1_mean,macro_f1_std,sensitivity_mean,sensitivity_std,"
         "specificity_mean,specificity_std\n";
  for (const auto& key : order) {
    const auto& runs = by_config[key];
    std::vector<double> acc, p, rc, f1, se, sp;
    for (const auto* r : runs) {
      acc.push_back(r->test.accuracy);
      p.push_back(r->test.macro_precision);
      rc.push_back(r->test.macro_recall);
      f1.push_back(r->test.macro_f1);
      se.push_back(r->test.sensitivity);
      sp.push_back(r->test.specificity);
    }
    md << "| " << runs.front()->model << " | " << ablation_name(runs.front()->ablation) << " | " << runs.size()
       << " | " << pm(acc) << " | " << pm(p) << " | " << pm(rc) << " | " << pm(f1) << " | " << pm(se) << " | "
       << pm(sp) << " |\n";
    csv << runs.front()->model << "," << ablation_name(runs.front()->ablation) << "," << runs.size();
    for (const auto* v : {&acc, &p, &rc, &f1, &se, &sp}) {
      MeanStd s = mean_std(*v);
      char buf[64];
      std::snprintf(buf, sizeof buf, ",%.6f,%.6f", s.mean, std::isnan(s.std) ? 0.0 : s.std);
      csv << buf;
    }
    csv << "\n";
  }
  // The paper's comparison (section 4.3): BF w/o DAPI against BF w/ DAPI, test macro F1 over seeds.
  if (o.grid == "ablations") {
    std::vector<double> no_dapi, dapi;
    for (const auto& r : result.runs) {
      if (r.ablation == Ablation::bf_no_dapi) no_dapi.push_back(r.test.macro_f1);
      if (r.ablation == Ablation::bf_dapi) dapi.push_back(r.test.macro_f1);
    }
    md << "\n## BF_noDAPI vs BF_DAPI (test macro F1 over seeds)\n\n";
    if (no_dapi.size() >= 2 && dapi.size() >= 2) {
      const SampleComparison cmp = compare_samples(no_dapi, dapi);
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "- Mann-Whitney U = %.4g, p = %.4g (%s)\n- Student's t p = %.4g, Welch's t p = %.4g, "
                    "Shapiro-Wilk p = %.4g / %.4g, Levene p = %.4g\n- chosen: %s, p = %.4g\n",
                    cmp.mann_whitney.statistic, cmp.mann_whitney.p_value, cmp.mann_whitney.method.c_str(),
                    cmp.student_t.p_value, cmp.welch_t.p_value, cmp.shapiro_a.p_value, cmp.shapiro_b.p_value,
                    cmp.levene_median.p_value, cmp.chosen_test.c_str(), cmp.chosen_p);
      md << buf << "- " << cmp.reading << "\n";
    } else {
      md << "Needs at least 2 seeds per configuration.\n";
    }
  }
  for (const auto& n : result.notes) md << "\nNote: " << n << "\n";
  result.markdown = md.str();
  const std::string stem = o.out_dir + "/" + (o.grid == "ablations" ? "table3_ablations" : "table2_architectures");
  result.table_markdown = stem + ".md";
  result.table_csv = stem + ".csv";
  write_file_atomic(result.table_markdown, result.markdown);
  write_file_atomic(result.table_csv, csv.str());
  return result;
}

}  // namespace ctcscope
