// ctcscope train, eval and predict as commands: a short run end to end on a
// tiny generated dataset (slow: it trains), and the usage errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "base/csv.h"
#include "base/file_util.h"
#include "models/registry.h"
#include "base/json.h"
#include "formats/state_dict.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "tools/commands.h"
#include "models/checkpoint.h"
#include "train/operating_points.h"
#include "train/run_folder.h"

namespace ctcscope::cli {
namespace {

TEST(CmdTrain, TrainEvalPredictEndToEnd) {
  const std::string data = test::tiny_dataset();
  const std::string run = test::fresh_run_dir("cmd_run");
  EXPECT_EQ(run_train({data, "--out", run, "--model", "resnet18", "--input", "32", "--epochs", "1", "--batch", "8",
                       "--ablation", "BF_DAPI_noAUG", "--max-cells", "60", "--threads", "2"}),
            0);
  EXPECT_TRUE(file_exists(run + "/best.safetensors"));
  const std::string out = run + "/eval";
  EXPECT_EQ(run_eval({run + "/best.safetensors", data, "--split-file", run + "/split.csv", "--out", out}), 0);
  EXPECT_TRUE(file_exists(out + "/eval.json"));
  for (const char* report : {"/report.html", "/curves.png", "/confusion.png", "/roc.png", "/pr.png",
                             "/reliability.png", "/reliability_val.png"}) {
    EXPECT_TRUE(file_exists(out + report)) << report;
  }
  const std::string pred = run + "/predictions.csv";
  EXPECT_EQ(run_predict({run + "/best.safetensors", "--folder", data + "/bf", "--out", pred}), 0);
  const auto rows = csv_parse(read_file_bytes(pred), pred);
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"cell_id", "ctc_probability", "call"}));
  EXPECT_TRUE(rows[1].fields[2] == "ctc" || rows[1].fields[2] == "leukocyte");
  // Called at the checkpoint's stored threshold (its probabilities printed to
  // 6 decimals, so a cell within 1e-6 of it could read either way), and
  // --threshold overrides it.
  const std::string best = run + "/best.safetensors";
  const OperatingPoints stored = stored_operating_points(read_checkpoint_file(best).info, best);
  ASSERT_TRUE(stored.stored);
  std::string source;
  const double threshold = default_threshold(stored, source);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const double p = std::stod(rows[i].fields[1]);
    if (std::abs(p - threshold) > 1e-6) {
      EXPECT_EQ(rows[i].fields[2], p >= threshold ? "ctc" : "leukocyte") << i;
    }
  }
  EXPECT_EQ(run_predict({best, "--folder", data + "/bf", "--out", pred, "--threshold", "0"}), 0);
  for (const auto& row : csv_parse(read_file_bytes(pred), pred)) {
    if (row.fields[0] != "cell_id") {
      EXPECT_EQ(row.fields[2], "ctc");
    }
  }
  // The run is finished: --resume has nothing to do and succeeds.
  EXPECT_EQ(run_train({data, "--out", run, "--model", "resnet18", "--input", "32", "--epochs", "1", "--batch", "8",
                       "--ablation", "BF_DAPI_noAUG", "--max-cells", "60", "--resume"}),
            0);
  // --resume=false is no resume (it resumed once): the folder holds a run, so it is refused.
  test::expect_error_containing(
      [&] {
        run_train({data, "--out", run, "--model", "resnet18", "--input", "32", "--epochs", "1", "--batch", "8",
                   "--ablation", "BF_DAPI_noAUG", "--max-cells", "60", "--resume=false"});
      },
      "the folder already holds a run");
}

TEST(CmdTrain, WeightsFolderGivesTheModelsFileAndAFolderWithoutOneWritesNothing) {
  const std::string data = test::tiny_dataset();
  const std::string weights_dir = test::fresh_run_dir("cmd_weights");
  std::filesystem::create_directories(weights_dir);
  auto net = make_model("resnet18", 1000, /*seed=*/5);
  StateDict sd;
  for (auto& [name, t] : net->state_dict()) sd.push_back({name, t->clone()});
  const std::string file = weights_dir + "/resnet18-imagenet.safetensors";
  write_safetensors(file, sd);
  const std::vector<std::string> args = {"--model", "resnet18", "--input", "32", "--epochs", "1", "--batch", "8",
                                         "--max-cells", "40", "--weights", weights_dir, "--lr", "1e-3"};
  const std::string run = test::fresh_run_dir("cmd_weights_run");
  Argv argv = {data, "--out", run};
  argv.insert(argv.end(), args.begin(), args.end());
  EXPECT_EQ(run_train(argv), 0);
  const JsonValue record = json_parse(read_file_bytes(run + "/run.json"), run + "/run.json");
  EXPECT_EQ(record.find("weights_file")->as_string(), file);

  const std::string refused = test::fresh_run_dir("cmd_weights_refused");
  argv = {data, "--out", refused, "--model", "resnet34", "--weights", weights_dir};
  try {
    run_train(argv);
    FAIL() << "a folder without resnet34's file was taken";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(weights_dir + ": no weights file for resnet34"), std::string::npos)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(refused));
}

TEST(CmdTrain, UsageErrors) {
  EXPECT_THROW(run_train({}), UsageError);
  EXPECT_THROW(run_train({"data"}), UsageError);  // no --out
  EXPECT_THROW(run_train({"data", "--out", "x", "--model", "vgg"}), UsageError);
  EXPECT_THROW(run_train({"data", "--out", "x", "--ablation", "BF"}), UsageError);
  EXPECT_THROW(run_train({"data", "--out", "x", "--class-weights", "some"}), UsageError);
  EXPECT_THROW(run_eval({"a.safetensors", "data"}), UsageError);  // neither --split-file nor --all
  EXPECT_THROW(run_predict({"a.safetensors", "--out", "p.csv"}), UsageError);
  EXPECT_THROW(run_experiment({"data", "--out", "x", "--grid", "everything"}), UsageError);
  EXPECT_EQ(run_train({"--help"}), 0);
  // Bad data names the file.
  try {
    run_train({"/nonexistent_ctc_dataset", "--out", test::fresh_run_dir("bad_data")});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent_ctc_dataset"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace ctcscope::cli
