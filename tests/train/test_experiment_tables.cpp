// The experiment's tables and statistics from finished runs (run.json
// completed, test_eval.json written), without training: the architectures
// grid compares the best mean test macro F1 against every other network, the
// ablations grid BF_noDAPI against BF_DAPI.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "base/file_util.h"
#include "tests/support/test_util.h"
#include "train/checkpoint_eval.h"
#include "train/experiment.h"
#include "train/run_folder.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir() { return test::fresh_test_dir("ctcscope_test_experiment_tables"); }

// Leaves each planned run as a finished one whose test macro F1 is f1(run).
template <class F1>
void finish_runs(const ExperimentOptions& o, F1 f1) {
  for (const auto& r : plan_experiment(o).runs) {
    const std::string& run_dir = r.config.out_dir;
    fs::create_directories(run_dir);
    RunRecord record;
    record.status = RunStatus::completed;
    write_run_record(RunPaths{run_dir}.run_record(), record);
    CheckpointEval e;
    e.metrics.n = 10;
    e.metrics.macro_f1 = f1(r.config);
    write_file_atomic(run_dir + "/test_eval.json", checkpoint_eval_json(e));
  }
}

TEST(ExperimentTables, ArchitecturesGridComparesTheBestMeanF1AgainstEachOther) {
  ExperimentOptions o;
  o.out_dir = fresh_dir().string();
  o.grid = ExperimentGrid::architectures;
  o.seeds = 3;
  // resnet50 is best on average, though not first in the grid and not best in every seed.
  const std::map<std::string, std::vector<double>> f1 = {{"densenet121", {0.40, 0.38, 0.79}},
                                                          {"efficientnet_b4", {0.58, 0.55, 0.60}},
                                                          {"resnet50", {0.80, 0.79, 0.78}},
                                                          {"resnet34", {0.41, 0.43, 0.39}}};
  finish_runs(o, [&](const TrainConfig& r) { return f1.at(r.model)[r.seed]; });
  const ExperimentResult result = run_experiment(o, "test", nullptr);
  for (const auto& r : result.runs) EXPECT_TRUE(r.skipped);
  const std::string& md = result.markdown;
  for (const char* other : {"densenet121", "efficientnet_b4", "resnet34"}) {
    const std::string title = std::string("## resnet50 BF_DAPI vs ") + other + " BF_DAPI (test macro F1 over seeds)";
    EXPECT_NE(md.find(title), std::string::npos) << md;
  }
  EXPECT_EQ(md.find("vs resnet50"), std::string::npos) << md;
  EXPECT_NE(md.find("Mann-Whitney U (exact)"), std::string::npos) << md;
  EXPECT_NE(md.find("0.7900 \u00b1 0.0100"), std::string::npos) << md;  // resnet50's mean ± std
  const std::string html = read_file_bytes(o.out_dir + "/table2_architectures.html");
  EXPECT_NE(html.find("resnet50 BF_DAPI vs resnet34 BF_DAPI"), std::string::npos);
}

TEST(ExperimentTables, OneSeedSaysTheComparisonNeedsTwo) {
  ExperimentOptions o;
  o.out_dir = fresh_dir().string();
  o.grid = ExperimentGrid::architectures;
  o.models = {"resnet18", "resnet34"};
  o.seeds = 1;
  finish_runs(o, [](const TrainConfig& r) { return r.model == "resnet34" ? 0.7 : 0.5; });
  const std::string md = run_experiment(o, "test", nullptr).markdown;
  EXPECT_NE(md.find("## resnet34 BF_DAPI vs resnet18 BF_DAPI"), std::string::npos) << md;
  EXPECT_NE(md.find("Needs at least 2 seeds per configuration."), std::string::npos) << md;
}

TEST(ExperimentTables, AblationsGridComparesBfWithoutAndWithDapi) {
  ExperimentOptions o;
  o.out_dir = fresh_dir().string();
  o.grid = ExperimentGrid::ablations;
  o.base.model = "resnet18";
  o.seeds = 2;
  finish_runs(o, [](const TrainConfig& r) { return r.ablation == Ablation::bf_dapi ? 0.8 + 0.01 * r.seed : 0.7; });
  const std::string md = run_experiment(o, "test", nullptr).markdown;
  EXPECT_NE(md.find("## BF_noDAPI vs BF_DAPI (test macro F1 over seeds)"), std::string::npos) << md;
  EXPECT_NE(md.find("0.8050 \u00b1 0.0071"), std::string::npos) << md;  // BF_DAPI's mean ± std
  EXPECT_EQ(md.find("## resnet18"), std::string::npos) << md;
}

}  // namespace
}  // namespace ctcscope
