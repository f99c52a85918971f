// Seed ensembles: the mean of the members' probabilities (each member
// against its own predictions), an ensemble of one unchanged, evaluation on
// the mean, and members that do not belong together refused naming both files.
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "models/registry.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "train/checkpoint_eval.h"
#include "train/ensemble.h"

namespace ctcscope {
namespace {

// An untrained network saved as a checkpoint, its weights from `seed`; with
// `points`, the operating points a training would have stored.
std::string saved_model(const std::string& name, const std::string& architecture, std::uint64_t seed,
                        std::int64_t input_size = 32, std::vector<std::string> classes = {"leukocyte", "ctc"},
                        const OperatingPoints* points = nullptr) {
  const std::string path = test::fresh_run_dir("ensemble_" + name) + ".safetensors";
  auto model = make_model(architecture, 2, seed);
  CheckpointInfo info;
  info.architecture = architecture;
  info.classes = std::move(classes);
  info.input_size = input_size;
  if (points) store_operating_points(info, *points);
  save_checkpoint(path, *model, info);
  return path;
}

// The tiny dataset's first cells of each class, copied into a dataset of
// their own: few enough that several networks predict them in a second.
std::string few_cells() {
  static const std::string dir = [] {
    namespace fs = std::filesystem;
    const std::string d = test::fresh_run_dir("ensemble_few_cells");
    const Manifest all = read_manifest(test::tiny_dataset());
    std::vector<CellRecord> kept;
    int per_class[2] = {0, 0};
    for (const CellRecord& c : all.cells) {
      if (per_class[c.label == CellLabel::ctc]++ >= 3) continue;
      kept.push_back(c);
      for (const std::string& rel : {c.bf, c.dapi}) {
        if (rel.empty()) continue;
        fs::create_directories(fs::path(d + "/" + rel).parent_path());
        fs::copy_file(all.root + "/" + rel, d + "/" + rel, fs::copy_options::overwrite_existing);
      }
    }
    write_manifest(d, kept);
    return d;
  }();
  return dir;
}

TEST(Ensemble, ProbabilitiesAreTheMeanOfTheMembersAndOneMemberIsUnchanged) {
  const std::string a = saved_model("a", "resnet18", 1), b = saved_model("b", "resnet18", 2),
                    c = saved_model("c", "resnet18", 3);
  const Manifest cells = read_manifest(few_cells());
  const std::vector<double> pa = predict_cells(a, cells).ctc_probability, pb = predict_cells(b, cells).ctc_probability,
                            pc = predict_cells(c, cells).ctc_probability;
  const std::vector<double> mean = predict_cells(std::vector<std::string>{a, b, c}, cells).ctc_probability;
  ASSERT_EQ(mean.size(), cells.cells.size());
  bool members_differ = false;
  for (std::size_t i = 0; i < mean.size(); ++i) {
    EXPECT_NEAR(mean[i], (pa[i] + pb[i] + pc[i]) / 3, test::tol::kDouble.atol) << "cell " << i;
    members_differ |= pa[i] != pb[i];
  }
  EXPECT_TRUE(members_differ);  // else the mean would test nothing

  // One member: the model's own probabilities, bit for bit.
  Checkpoint ck = load_checkpoint(a);
  std::vector<TrainingItem> items(cells.cells.size());
  for (std::size_t i = 0; i < items.size(); ++i) items[i].cell = static_cast<std::int64_t>(i);
  PredictOptions po;
  po.input_size = 32;
  po.images = checkpoint_images(ck.info, a);
  const Predictions own = predict_items(*ck.model, cells, items, po);
  EXPECT_EQ(ensemble_predictions({a}, cells, items).ctc_probability, own.ctc_probability);
}

TEST(Ensemble, EvaluationScoresTheMeanProbabilities) {
  const std::string a = saved_model("eval_a", "resnet18", 4), b = saved_model("eval_b", "resnet18", 5);
  const CheckpointEval ea = evaluate_checkpoint(a, few_cells(), ""),
                       eb = evaluate_checkpoint(b, few_cells(), "");
  const CheckpointEval e = evaluate_checkpoint(std::vector<std::string>{a, b}, few_cells(), "", 0.5);
  EXPECT_EQ(e.checkpoint, a + "," + b);
  ASSERT_EQ(e.predictions.ctc_probability.size(), ea.predictions.ctc_probability.size());
  std::vector<double> mean(ea.predictions.ctc_probability.size());
  for (std::size_t i = 0; i < mean.size(); ++i) {
    mean[i] = (ea.predictions.ctc_probability[i] + eb.predictions.ctc_probability[i]) / 2;
    EXPECT_NEAR(e.predictions.ctc_probability[i], mean[i], test::tol::kDouble.atol);
  }
  Predictions expected = ea.predictions;
  expected.ctc_probability = mean;
  EXPECT_EQ(e.metrics.confusion, metrics_at(expected, 0.5).confusion);
  EXPECT_EQ(e.predictions.truth, ea.predictions.truth);
}

OperatingPoints stored(double temperature, double sensitivity_threshold, double youden_threshold) {
  OperatingPoints p;
  p.stored = true;
  p.temperature = temperature;
  p.sensitivity_threshold = sensitivity_threshold;
  p.youden_threshold = youden_threshold;
  p.validation_cells = 10;
  p.validation_ece = 0.2;
  p.validation_ece_calibrated = 0.1;
  return p;
}

// Calibrated members vote: each member's own temperature first, then the
// mean; the ensemble's thresholds are the means of the members'.
TEST(Ensemble, EachMemberIsCalibratedBeforeTheVoteAndThresholdsAreAveraged) {
  const OperatingPoints pa = stored(2.0, 0.3, 0.6), pb = stored(0.5, 0.5, 0.4);
  const std::string a = saved_model("cal_a", "resnet18", 6, 32, {"leukocyte", "ctc"}, &pa),
                    b = saved_model("cal_b", "resnet18", 7, 32, {"leukocyte", "ctc"}, &pb);
  const Manifest cells = read_manifest(few_cells());
  const CellPredictions ca = predict_cells(a, cells), cb = predict_cells(b, cells);
  const CellPredictions both = predict_cells(std::vector<std::string>{a, b}, cells);
  ASSERT_EQ(both.ctc_probability.size(), ca.ctc_probability.size());
  for (std::size_t i = 0; i < both.ctc_probability.size(); ++i) {
    EXPECT_NEAR(both.ctc_probability[i], (ca.ctc_probability[i] + cb.ctc_probability[i]) / 2,
                test::tol::kDouble.atol) << "cell " << i;
  }
  EXPECT_EQ(both.operating.members, 2);
  EXPECT_TRUE(both.operating.stored);
  EXPECT_EQ(both.operating.temperature, 1.0);
  EXPECT_DOUBLE_EQ(both.operating.sensitivity_threshold, 0.4);
  EXPECT_DOUBLE_EQ(both.operating.youden_threshold, 0.5);
  EXPECT_NE(both.note.find("each member's temperature (2, 0.5) applied before the vote"), std::string::npos)
      << both.note;

  // A member without stored operating points: no ensemble thresholds (0.5).
  const std::string old = saved_model("cal_old", "resnet18", 8);
  const CellPredictions mixed = predict_cells(std::vector<std::string>{a, old}, cells);
  EXPECT_FALSE(mixed.operating.stored);
  std::string source;
  EXPECT_EQ(default_threshold(mixed.operating, source), 0.5);
}

// The experiment's collect step: each run's best checkpoint voting on the
// runs' common test split; runs of different splits are refused.
TEST(Ensemble, ExperimentRunsVoteOnTheirCommonTestSplit) {
  const Manifest cells = read_manifest(few_cells());
  // The k-th cell of each class trains, the others test.
  const auto split_training = [&](int k) {
    std::string split = "cell_id,split\n";
    int seen[2] = {0, 0};
    for (const CellRecord& c : cells.cells) split += c.cell_id + (seen[c.label == CellLabel::ctc]++ == k ? ",train\n" : ",test\n");
    return split;
  };
  const std::string split = split_training(0);
  std::vector<std::string> runs;
  for (std::uint64_t seed : {6, 7}) {
    const std::string dir = test::fresh_run_dir("ensemble_experiment_seed" + std::to_string(seed));
    std::filesystem::create_directories(dir);
    std::filesystem::rename(saved_model("run" + std::to_string(seed), "resnet18", seed), dir + "/best.safetensors");
    write_file_atomic(dir + "/split.csv", split);
    runs.push_back(dir);
  }
  const CheckpointEval e = evaluate_ensemble_runs(runs, few_cells());
  const CheckpointEval want = evaluate_checkpoint(
      std::vector<std::string>{runs[0] + "/best.safetensors", runs[1] + "/best.safetensors"}, few_cells(),
      runs[0] + "/split.csv");
  EXPECT_EQ(e.metrics.n, 4);  // the test cells only
  EXPECT_EQ(e.predictions.ctc_probability, want.predictions.ctc_probability);

  write_file_atomic(runs[1] + "/split.csv", split_training(1));
  test::expect_error_containing([&] { evaluate_ensemble_runs(runs, few_cells()); },
                                runs[1] + "/split.csv and " + runs[0] + "/split.csv hold different splits");
}

TEST(Ensemble, MembersThatDoNotBelongTogetherAreRefusedNamingBothFiles) {
  const std::string a = saved_model("ok", "resnet18", 1);
  const Manifest cells = read_manifest(few_cells());
  const std::string r34 = saved_model("r34", "resnet34", 1);
  test::expect_error_containing([&] { predict_cells(std::vector<std::string>{a, r34}, cells); },
                                "ensemble members differ in architecture: " + a + " has resnet18, " + r34 +
                                    " has resnet34");
  const std::string big = saved_model("big", "resnet18", 1, 48);
  test::expect_error_containing([&] { predict_cells(std::vector<std::string>{a, big}, cells); },
                                "ensemble members differ in input size: " + a + " has 32, " + big + " has 48");
  const std::string reversed = saved_model("reversed", "resnet18", 1, 32, {"ctc", "leukocyte"});
  test::expect_error_containing([&] { predict_cells(std::vector<std::string>{a, reversed}, cells); },
                                "ensemble members differ in classes: " + a + " has [leukocyte, ctc], " + reversed +
                                    " has [ctc, leukocyte]");
  test::expect_error_containing([&] { predict_cells(std::vector<std::string>{reversed}, cells); },
                                reversed + ": checkpoint classes are [ctc, leukocyte]");
  test::expect_error_containing([&] { predict_cells(std::vector<std::string>{a, a}, cells); },
                                a + ": named twice in the ensemble");
  test::expect_error_containing([] { ensemble_paths("a.safetensors,,b.safetensors"); }, "has an empty entry");
  EXPECT_EQ(ensemble_paths("a.safetensors,b.safetensors"),
            (std::vector<std::string>{"a.safetensors", "b.safetensors"}));
}

}  // namespace
}  // namespace ctcscope
