// The experiment grid end to end on a tiny generated dataset: every run of a
// one-architecture, two-seed grid trains and is tested, the tables (Markdown,
// CSV, HTML) list it, and a second invocation skips the finished runs.
#include <gtest/gtest.h>

#include "data/file_util.h"
#include "tests/train/train_fixture.h"
#include "train/experiment.h"
#include "train/run_folder.h"

namespace ctcscope {
namespace {

TEST(Experiment, GridRunsTablesAndSkipsFinishedRuns) {
  ExperimentOptions o;
  o.out_dir = test::fresh_run_dir("experiment");
  o.base = test::tiny_config("");
  o.base.epochs = 1;
  o.base.max_cells = 40;
  o.grid = "architectures";
  o.models = {"resnet18"};
  o.seeds = 2;
  const ExperimentResult first = run_experiment(o, "test", [](const ExperimentRun&) { return TrainHooks{}; });
  ASSERT_EQ(first.runs.size(), 2u);
  for (const auto& r : first.runs) EXPECT_FALSE(r.skipped);
  EXPECT_NE(first.markdown.find("resnet18 BF_DAPI"), std::string::npos) << first.markdown;
  const std::string csv = read_file_bytes(first.table_csv);
  EXPECT_EQ(csv.rfind("configuration,runs,accuracy_mean", 0), 0u) << csv;
  EXPECT_NE(csv.find("resnet18 BF_DAPI,2,"), std::string::npos) << csv;
  const std::string html = read_file_bytes(o.out_dir + "/table2_architectures.html");
  EXPECT_NE(html.find("<table"), std::string::npos);

  const ExperimentResult again = run_experiment(o, "test", [](const ExperimentRun&) { return TrainHooks{}; });
  for (const auto& r : again.runs) EXPECT_TRUE(r.skipped);
  EXPECT_EQ(again.markdown, first.markdown);
}

}  // namespace
}  // namespace ctcscope
