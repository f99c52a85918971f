// The experiment grid end to end on a tiny generated dataset: every run of a
// one-architecture, two-seed grid trains and is tested, the tables (Markdown,
// CSV, HTML) list it, and a second invocation skips the finished runs; a
// two-architecture grid with a folder of weights starts each network from
// its own file.
#include <gtest/gtest.h>

#include <cstdio>

#include <filesystem>

#include "base/file_util.h"
#include "models/registry.h"
#include "base/json.h"
#include "base/sha256.h"
#include "formats/state_dict.h"
#include "tests/train/train_fixture.h"
#include "train/checkpoint_eval.h"
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
  o.grid = ExperimentGrid::architectures;
  o.models = {"resnet18"};
  o.seeds = 2;
  const ExperimentResult first = run_experiment(o, "test", nullptr);
  ASSERT_EQ(first.runs.size(), 2u);
  for (const auto& r : first.runs) EXPECT_FALSE(r.skipped);
  EXPECT_NE(first.markdown.find("resnet18 BF_DAPI"), std::string::npos) << first.markdown;
  const std::string csv = read_file_bytes(first.table_csv);
  EXPECT_EQ(csv.rfind("configuration,runs,accuracy_mean", 0), 0u) << csv;
  EXPECT_NE(csv.find("resnet18 BF_DAPI,2,"), std::string::npos) << csv;
  // The two seeds voting as one model, on the test cells the runs share: its
  // accuracy is the ensemble's own, recomputed here from the two checkpoints.
  const CheckpointEval both = evaluate_checkpoint(
      {first.runs[0].run_dir + "/best.safetensors", first.runs[1].run_dir + "/best.safetensors"},
      o.base.dataset_dir, first.runs[0].run_dir + "/split.csv");
  char accuracy[64];
  std::snprintf(accuracy, sizeof accuracy, "resnet18 BF_DAPI ensemble of 2 seeds,1,%.17g,", both.metrics.accuracy);
  EXPECT_NE(csv.find(accuracy), std::string::npos) << accuracy << "\n" << csv;
  EXPECT_NE(first.markdown.find("voting as one"), std::string::npos) << first.markdown;
  const std::string html = read_file_bytes(o.out_dir + "/table2_architectures.html");
  EXPECT_NE(html.find("<table"), std::string::npos);

  const ExperimentResult again = run_experiment(o, "test", nullptr);
  for (const auto& r : again.runs) EXPECT_TRUE(r.skipped);
  EXPECT_EQ(again.markdown, first.markdown);
}

TEST(Experiment, ArchitecturesGridStartsEachModelFromItsFileInTheWeightsFolder) {
  const std::string weights_dir = test::fresh_run_dir("experiment_weights_files");
  std::filesystem::create_directories(weights_dir);
  // ImageNet-shaped (1000 classes) state_dicts of each network under torchvision's file names.
  for (const std::string model : {"resnet18", "resnet34"}) {
    auto net = make_model(model, 1000, /*seed=*/7);
    StateDict sd;
    for (auto& [name, t] : net->state_dict()) sd.push_back({name, t->clone()});
    write_safetensors(weights_dir + "/" + model + "-imagenet.safetensors", sd);
  }
  ExperimentOptions o;
  o.out_dir = test::fresh_run_dir("experiment_weights");
  o.base = test::tiny_config("");
  o.base.epochs = 1;
  o.base.max_cells = 40;
  o.base.weights = weights_dir;
  o.grid = ExperimentGrid::architectures;
  o.models = {"resnet18", "resnet34"};
  o.seeds = 1;
  const ExperimentResult result = run_experiment(o, "test", nullptr);
  ASSERT_EQ(result.runs.size(), 2u);
  for (const auto& r : result.runs) {
    const std::string file = weights_dir + "/" + r.model + "-imagenet.safetensors";
    EXPECT_EQ(r.weights, file);
    const std::string record_path = r.run_dir + "/run.json";
    const JsonValue record = json_parse(read_file_bytes(record_path), record_path);
    ASSERT_NE(record.find("weights_file"), nullptr);
    EXPECT_EQ(record.find("weights_file")->as_string(), file) << r.model;
    EXPECT_EQ(record.find("weights_sha256")->as_string(), sha256_file_hex(file)) << r.model;
  }
  EXPECT_NE(result.markdown.find("resnet34 BF_DAPI"), std::string::npos) << result.markdown;
}

}  // namespace
}  // namespace ctcscope
