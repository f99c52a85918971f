// Operating points as a checkpoint stores them: chosen from validation
// predictions with the eval/ functions on the calibrated probabilities, the
// metadata round trip (an undefined threshold stays undefined), checkpoints
// from before them (0.5, T = 1, and said so), and the rows eval prints.
#include <gtest/gtest.h>

#include <cmath>

#include "base/json.h"
#include "eval/calibration.h"
#include "eval/operating_point.h"
#include "tests/support/test_util.h"
#include "train/checkpoint_eval.h"
#include "train/operating_points.h"

namespace ctcscope {
namespace {

Predictions validation() {
  Predictions p;
  p.truth = {1, 1, 1, 0, 0, 0, 1, 0};
  p.ctc_logit_margin = {6, 3, -1, 2, -5, -7, 8, 0.5};
  for (double m : p.ctc_logit_margin) p.ctc_probability.push_back(calibrated_probability(m, 1));
  return p;
}

TEST(OperatingPoints, ChosenOnTheCalibratedValidationProbabilities) {
  const Predictions v = validation();
  const OperatingPoints p = choose_operating_points(v, 0.9);
  EXPECT_TRUE(p.stored);
  EXPECT_EQ(p.temperature, fit_temperature(v.truth, v.ctc_logit_margin));
  const std::vector<double> calibrated = calibrated_probabilities(v.ctc_logit_margin, p.temperature);
  EXPECT_EQ(p.sensitivity_threshold, threshold_for_sensitivity(v.truth, calibrated, 0.9));
  EXPECT_EQ(p.youden_threshold, youden_threshold(v.truth, calibrated));
  // 4 CTCs: 0.9 needs all four, so the threshold is the lowest CTC's (margin -1).
  EXPECT_EQ(p.sensitivity_threshold, calibrated_probability(-1, p.temperature));
  EXPECT_EQ(p.validation_cells, 8);
  EXPECT_EQ(p.validation_ece, expected_calibration_error(v.truth, v.ctc_probability));
  EXPECT_EQ(p.validation_ece_calibrated, expected_calibration_error(v.truth, calibrated));
}

TEST(OperatingPoints, RoundTripThroughCheckpointMetadata) {
  OperatingPoints p = choose_operating_points(validation(), 0.95);
  p.youden_threshold = std::nan("");  // undefined stays undefined (null), never a made-up 0
  CheckpointInfo info;
  store_operating_points(info, p);
  const OperatingPoints back = stored_operating_points(info, "ck.safetensors");
  EXPECT_TRUE(back.stored);
  EXPECT_EQ(back.temperature, p.temperature);
  EXPECT_EQ(back.target_sensitivity, 0.95);
  EXPECT_EQ(back.sensitivity_threshold, p.sensitivity_threshold);
  EXPECT_TRUE(std::isnan(back.youden_threshold));
  EXPECT_EQ(back.validation_ece, p.validation_ece);
  EXPECT_EQ(back.validation_cells, 8);
}

TEST(OperatingPoints, OlderCheckpointCallsAtOneHalfUncalibratedAndSaysSo) {
  const OperatingPoints p = stored_operating_points(CheckpointInfo{}, "old.safetensors");
  EXPECT_FALSE(p.stored);
  EXPECT_EQ(p.temperature, 1.0);
  std::string source;
  EXPECT_EQ(default_threshold(p, source), 0.5);
  EXPECT_NE(source.find("predates"), std::string::npos) << source;
  EXPECT_NE(calibration_line(p).find("predates"), std::string::npos);
}

TEST(OperatingPoints, DefaultThresholdIsTheStoredSensitivityOne) {
  const OperatingPoints p = choose_operating_points(validation(), 0.95);
  std::string source;
  EXPECT_EQ(default_threshold(p, source), p.sensitivity_threshold);
  EXPECT_NE(source.find("sensitivity 0.95"), std::string::npos) << source;
}

TEST(OperatingPoints, DamagedRecordIsRefusedNamingTheCheckpoint) {
  CheckpointInfo info;
  info.operating_points = "{\"target_sensitivity\": 0.95}";
  test::expect_error_containing([&] { stored_operating_points(info, "ck.safetensors"); }, "ck.safetensors");
  info.operating_points = "[1]";
  test::expect_error_containing([&] { stored_operating_points(info, "ck.safetensors"); }, "not a JSON object");
}

TEST(OperatingPoints, MetricsAtEachDefinedThreshold) {
  OperatingPoints p = choose_operating_points(validation(), 0.95);
  const std::vector<std::int64_t> truth{1, 0, 1, 0};
  const std::vector<double> calibrated{0.9, 0.6, 0.4, 0.1};
  auto rows = metrics_at_operating_points(truth, calibrated, p, 0.5);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].name, "threshold 0.5");
  EXPECT_EQ(rows[0].metrics.confusion, (std::vector<std::vector<std::int64_t>>{{1, 1}, {1, 1}}));
  EXPECT_EQ(rows[1].threshold, p.sensitivity_threshold);
  p.sensitivity_threshold = p.youden_threshold = std::nan("");
  EXPECT_EQ(metrics_at_operating_points(truth, calibrated, p, 0.5).size(), 1u);
  // The table counts what an expert reviews at each: CTC calls and the leukocytes among them.
  const std::string table = operating_points_table(rows);
  EXPECT_NE(table.find("leukocytes among them"), std::string::npos) << table;
}

TEST(OperatingPoints, EvalJsonHoldsTemperatureEceAndEachThreshold) {
  CheckpointEval e;
  e.metrics = compute_metrics({1, 0}, {1, 0});
  e.operating = choose_operating_points(validation(), 0.95);
  e.at_operating_points = metrics_at_operating_points({1, 0}, {0.8, 0.3}, e.operating, 0.5);
  e.ece = 0.25;
  e.ece_calibrated = 0.125;
  const JsonValue v = json_parse(checkpoint_eval_json(e), "eval.json");
  EXPECT_EQ(v.find("temperature")->as_number(), e.operating.temperature);
  EXPECT_EQ(v.find("ece")->as_number(), 0.25);
  EXPECT_EQ(v.find("ece_calibrated")->as_number(), 0.125);
  const auto& points = v.find("operating_points")->as_array();
  ASSERT_EQ(points.size(), e.at_operating_points.size());
  EXPECT_EQ(points[1].find("threshold")->as_number(), e.operating.sensitivity_threshold);
}

}  // namespace
}  // namespace ctcscope
