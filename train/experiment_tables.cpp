// The experiment's tables and the paper's comparisons, from tested runs.
#include "train/experiment_tables.h"

#include <algorithm>
#include <sstream>

#include "base/file_util.h"
#include "eval/report.h"
#include "eval/statistics.h"
#include "train/ensemble.h"

namespace ctcscope {

namespace {

std::vector<double> f1s(const ConfigScores& c) {
  std::vector<double> v;
  for (const Metrics& m : c.runs) v.push_back(m.macro_f1);
  return v;
}

const ConfigScores* find_config(const std::vector<ConfigScores>& configs, const std::string& name) {
  const auto it = std::find_if(configs.begin(), configs.end(), [&](const ConfigScores& c) { return c.name == name; });
  return it == configs.end() ? nullptr : &*it;
}

// One row per configuration (architecture x ablation), in the order the runs come.
std::vector<ConfigScores> scores_by_configuration(const std::vector<ExperimentRun>& runs) {
  std::vector<ConfigScores> configs;
  for (const auto& r : runs) {
    const std::string name = r.model + " " + ablation_name(r.ablation);
    auto it = std::find_if(configs.begin(), configs.end(), [&](const ConfigScores& c) { return c.name == name; });
    if (it == configs.end()) it = configs.insert(configs.end(), ConfigScores{name, {}});
    it->runs.push_back(r.test);
  }
  return configs;
}

// The table's rows: each configuration's mean ± std over seeds, its
// ensemble's row below it where there is one.
std::vector<ConfigScores> table_rows(const std::vector<ConfigScores>& configs,
                                     const std::vector<ConfigScores>& ensembles) {
  std::vector<ConfigScores> rows;
  for (const ConfigScores& c : configs) {
    rows.push_back(c);
    for (const ConfigScores& e : ensembles) {
      if (e.name.rfind(c.name + " ensemble", 0) == 0) rows.push_back(e);
    }
  }
  return rows;
}

}  // namespace

std::vector<ConfigScores> ensemble_rows(const ExperimentPlan& plan, const std::vector<ExperimentRun>& runs,
                                        std::vector<std::string>* notes) {
  std::vector<ConfigScores> rows;
  for (const ConfigScores& c : scores_by_configuration(runs)) {
    if (c.runs.size() < 2) continue;
    std::vector<std::string> run_dirs;
    std::string dataset_dir, lacking;
    for (const auto& r : runs) {
      if (r.model + " " + ablation_name(r.ablation) != c.name) continue;
      run_dirs.push_back(r.run_dir);
      dataset_dir = plan.runs[r.index].config.dataset_dir;
      const RunPaths paths{r.run_dir};
      for (const std::string& f : {paths.best(), paths.split()}) {
        if (lacking.empty() && !file_exists(f)) lacking = f;
      }
    }
    if (!lacking.empty()) {
      notes->push_back(c.name + ": no ensemble row, " + lacking + " is missing");
      continue;
    }
    const CheckpointEval e = evaluate_ensemble_runs(run_dirs, dataset_dir);
    rows.push_back({c.name + " ensemble of " + std::to_string(run_dirs.size()) + " seeds", {e.metrics}});
  }
  return rows;
}

ExperimentTables write_experiment_tables(const std::string& experiment_dir, const ExperimentPlan& plan,
                                         const std::vector<ExperimentRun>& runs,
                                         const std::vector<ConfigScores>& ensembles) {
  const std::vector<ConfigScores> configs = scores_by_configuration(runs);
  const bool ablations = plan.grid == ExperimentGrid::ablations;
  const char* title = ablations ? "Table 3 (ablations)" : "Table 2 (architectures)";
  const std::string heading =
      std::string(title) + ": test metrics, mean ± std over " + std::to_string(plan.seeds) + " seeds";
  std::ostringstream md;
  const std::vector<ConfigScores> rows = table_rows(configs, ensembles);
  md << "# " << heading << "\n\n" << markdown_table(rows);
  const std::string ensemble_note =
      "An \"ensemble of N seeds\" row is the configuration's N models voting as one (their CTC probabilities "
      "averaged) on the same test cells at the same threshold: one model, so no std.";
  if (!ensembles.empty()) md << "\n" << ensemble_note << "\n";
  HtmlReport html(std::string("ctcscope experiment: ") + title);
  html.heading(heading);
  html.metrics_table(rows);
  if (!ensembles.empty()) html.paragraph(ensemble_note);
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
  if (ablations) {
    // The paper's comparison, the DAPI images' contribution, where the grid has both.
    const ConfigScores* no_dapi = find_config(configs, plan.model + " " + ablation_name(Ablation::bf_no_dapi));
    const ConfigScores* dapi = find_config(configs, plan.model + " " + ablation_name(Ablation::bf_dapi));
    if (no_dapi && dapi) add_comparison("BF_noDAPI", f1s(*no_dapi), "BF_DAPI", f1s(*dapi));
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
  for (const auto& n : plan.notes) {
    md << "\nNote: " << n << "\n";
    html.paragraph("Note: " + n);
  }
  ExperimentTables t;
  t.markdown = md.str();
  const std::string stem = experiment_dir + "/" + (ablations ? "table3_ablations" : "table2_architectures");
  t.markdown_path = stem + ".md";
  t.csv_path = stem + ".csv";
  t.html_path = stem + ".html";
  write_file_atomic(t.markdown_path, t.markdown);
  write_file_atomic(t.csv_path, csv_table(rows));
  write_file_atomic(t.html_path, html.html());
  return t;
}

}  // namespace ctcscope
