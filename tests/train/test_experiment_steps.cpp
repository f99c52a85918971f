// The experiment in steps, without training: plan.json reads back the runs
// it was written with; a plan of another version or format, a run index
// outside the plan, a collect with runs missing (each named) and a run
// folder locked by another task are refused, and nothing is lost: no table
// is overwritten, no run folder touched.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "tests/support/test_util.h"
#include "train/checkpoint_eval.h"
#include "train/experiment.h"
#include "train/run_lock.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

// A two-ablation, two-seed grid of resnet18, planned into a fresh folder.
ExperimentOptions small_grid() {
  ExperimentOptions o;
  o.out_dir = test::fresh_test_dir("ctcscope_test_experiment_steps");
  o.grid = ExperimentGrid::ablations;
  o.ablations = {Ablation::bf_no_dapi, Ablation::bf_dapi};
  o.base.model = "resnet18";
  o.base.dataset_dir = "data";
  o.base.epochs = 3;
  o.base.lr = 0.00025;
  o.seeds = 2;
  return o;
}

// Leaves run k as finished and tested, with test macro F1 f1.
void finish_run(const PlannedRun& r, double f1) {
  fs::create_directories(r.config.out_dir);
  RunRecord record;
  record.status = RunStatus::completed;
  write_run_record(RunPaths{r.config.out_dir}.run_record(), record);
  CheckpointEval e;
  e.metrics.n = 10;
  e.metrics.macro_f1 = f1;
  write_file_atomic(r.config.out_dir + "/test_eval.json", checkpoint_eval_json(e));
}

// plan.json with `from` replaced by `to` (a plan another version wrote).
void edit_plan(const std::string& dir, const std::string& from, const std::string& to) {
  std::string text = read_file_bytes(plan_path(dir));
  const std::size_t at = text.find(from);
  ASSERT_NE(at, std::string::npos) << text;
  write_file_atomic(plan_path(dir), text.replace(at, from.size(), to));
}

TEST(ExperimentSteps, PlanFileReadsBackEveryRunsFolderAndConfiguration) {
  const ExperimentOptions o = small_grid();
  const ExperimentPlan plan = plan_experiment(o);
  ASSERT_EQ(plan.runs.size(), 4u);
  write_plan(o.out_dir, plan);
  // Read under another spelling of the folder: the runs' folders follow it.
  const std::string moved = o.out_dir + "/.";
  const ExperimentPlan back = read_plan(moved);
  EXPECT_EQ(back.grid, plan.grid);
  EXPECT_EQ(back.seeds, 2);
  EXPECT_EQ(back.model, "resnet18");
  ASSERT_EQ(back.runs.size(), plan.runs.size());
  for (std::size_t k = 0; k < plan.runs.size(); ++k) {
    EXPECT_EQ(back.runs[k].folder, plan.runs[k].folder);
    EXPECT_EQ(back.runs[k].config.out_dir, moved + "/" + plan.runs[k].folder);
    EXPECT_EQ(back.runs[k].config.identity_json(), plan.runs[k].config.identity_json()) << k;
    EXPECT_EQ(back.runs[k].config.epochs, 3);
  }
  EXPECT_EQ(back.runs[3].folder, "resnet18_BF_DAPI_seed1");
}

TEST(ExperimentSteps, AGridNamingARunTwiceIsRefused) {
  ExperimentOptions o = small_grid();
  o.ablations = {Ablation::bf_dapi, Ablation::bf_dapi};
  test::expect_error_containing([&] { plan_experiment(o); }, "the grid has the run resnet18_BF_DAPI_seed0 twice");
}

TEST(ExperimentSteps, APlanOfAnotherVersionOrFormatIsRefusedNamingBoth) {
  const ExperimentOptions o = small_grid();
  write_plan(o.out_dir, plan_experiment(o));
  edit_plan(o.out_dir, "\"software_version\": \"ctcscope ", "\"software_version\": \"ctcscope 0.0.1-old ");
  test::expect_error_containing([&] { read_plan(o.out_dir); }, "plan.json: written by ctcscope 0.0.1-old");
  test::expect_error_containing([&] { read_plan(o.out_dir); }, "; this is ctcscope ");
  write_plan(o.out_dir, plan_experiment(o));
  edit_plan(o.out_dir, "\"format\": 1", "\"format\": 7");
  test::expect_error_containing([&] { read_plan(o.out_dir); }, "(plan format 7); this is ctcscope");
  test::expect_error_containing([&] { read_plan(o.out_dir + "/nowhere"); }, "no plan here");
}

TEST(ExperimentSteps, ARunIndexOutsideThePlanIsRefusedAndNothingIsMade) {
  const ExperimentOptions o = small_grid();
  write_plan(o.out_dir, plan_experiment(o));
  const ExperimentPlan plan = read_plan(o.out_dir);
  test::expect_error_containing([&] { run_planned(o.out_dir, plan, 4, "test"); },
                                "run 4 is out of range: the plan has 4 runs (0 to 3)");
  for (const auto& r : plan.runs) EXPECT_FALSE(fs::exists(r.config.out_dir));
}

TEST(ExperimentSteps, AFinishedRunIsSkippedWithItsRecordedMetrics) {
  const ExperimentOptions o = small_grid();
  write_plan(o.out_dir, plan_experiment(o));
  const ExperimentPlan plan = read_plan(o.out_dir);
  finish_run(plan.runs[2], 0.625);
  const ExperimentRun r = run_planned(o.out_dir, plan, 2, "test");
  EXPECT_TRUE(r.skipped);
  EXPECT_EQ(r.test.macro_f1, 0.625);
  EXPECT_FALSE(file_exists(plan.runs[2].config.out_dir + "/run.lock")) << "released after the run";
}

TEST(ExperimentSteps, CollectNamesEachMissingRunAndOverwritesNoTable) {
  const ExperimentOptions o = small_grid();
  write_plan(o.out_dir, plan_experiment(o));
  const ExperimentPlan plan = read_plan(o.out_dir);
  finish_run(plan.runs[0], 0.5);
  finish_run(plan.runs[2], 0.7);
  RunRecord interrupted;
  interrupted.status = RunStatus::interrupted;
  fs::create_directories(plan.runs[3].config.out_dir);
  write_run_record(RunPaths{plan.runs[3].config.out_dir}.run_record(), interrupted);
  const std::string table = o.out_dir + "/table3_ablations.csv";
  write_file_atomic(table, "an earlier collect's table\n");
  for (const char* needle : {"cannot collect the tables, runs not finished",
                             "run 1 (" /* not started */, "resnet18_BF_noDAPI_seed1): not started",
                             "resnet18_BF_DAPI_seed1): interrupted; run it with: ctcscope experiment"}) {
    test::expect_error_containing([&] { collect_experiment(o.out_dir, plan); }, needle);
  }
  test::expect_error_containing([&] { collect_experiment(o.out_dir, plan); }, " --run 3");
  EXPECT_EQ(read_file_bytes(table), "an earlier collect's table\n");

  finish_run(plan.runs[1], 0.6);
  finish_run(plan.runs[3], 0.8);
  const ExperimentResult result = collect_experiment(o.out_dir, plan);
  EXPECT_NE(result.markdown.find("## BF_noDAPI vs BF_DAPI"), std::string::npos) << result.markdown;
  EXPECT_NE(read_file_bytes(table).find("resnet18 BF_DAPI,2,"), std::string::npos);
}

TEST(ExperimentSteps, ARunFolderLockedByAnotherTaskIsRefusedAndLeftAlone) {
  const ExperimentOptions o = small_grid();
  write_plan(o.out_dir, plan_experiment(o));
  const ExperimentPlan plan = read_plan(o.out_dir);
  finish_run(plan.runs[1], 0.6);
  const RunLock other(plan.runs[1].config.out_dir);  // as if a second task had it
  test::expect_error_containing([&] { run_planned(o.out_dir, plan, 1, "test"); }, "run.lock: the run is held by host");
  EXPECT_TRUE(file_exists(other.path()));
  EXPECT_TRUE(file_exists(plan.runs[1].config.out_dir + "/test_eval.json"));
}

}  // namespace
}  // namespace ctcscope
