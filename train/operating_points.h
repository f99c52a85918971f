// The operating points a run chooses on its validation split and stores in
// its best checkpoint, for eval and predict: the temperature that calibrates
// the CTC probability, the threshold reaching a target CTC sensitivity and
// Youden's threshold, both on the calibrated probability (the one predict
// prints), and the validation ECE before and after calibration.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eval/metrics.h"
#include "models/checkpoint.h"
#include "train/evaluate.h"

namespace ctcscope {

struct OperatingPoints {
  bool stored = false;  // false: a checkpoint from before operating points (threshold 0.5, T = 1)
  double target_sensitivity = 0.95;
  // NaN where undefined: no CTC (or, for Youden, one class only) in validation.
  double sensitivity_threshold = std::numeric_limits<double>::quiet_NaN();
  double youden_threshold = std::numeric_limits<double>::quiet_NaN();
  double temperature = 1;
  std::int64_t validation_cells = 0;
  double validation_ece = std::numeric_limits<double>::quiet_NaN();
  double validation_ece_calibrated = std::numeric_limits<double>::quiet_NaN();
  // Over 1: an ensemble's (train/ensemble.h): each member's temperature was
  // applied before the vote (temperature 1 here), thresholds their means.
  std::int64_t members = 1;
};

// Fits the temperature on the validation predictions, then chooses both
// thresholds on the calibrated probabilities (eval/operating_point.h).
OperatingPoints choose_operating_points(const Predictions& validation, double target_sensitivity);

// Into a checkpoint's metadata (operating_points JSON and temperature) and back.
void store_operating_points(CheckpointInfo& info, const OperatingPoints& points);
OperatingPoints stored_operating_points(const CheckpointInfo& info, const std::string& checkpoint);

// The threshold a call uses when none is given: the stored sensitivity
// threshold, else 0.5; `source` says which, for the output line.
double default_threshold(const OperatingPoints& points, std::string& source);

struct ThresholdMetrics {
  std::string name;  // "threshold 0.5", "sensitivity 0.95 (validation)", "Youden's J (validation)"
  double threshold = 0.5;
  Metrics metrics;
};
// The metrics at `threshold` and at each stored threshold that is defined.
std::vector<ThresholdMetrics> metrics_at_operating_points(const std::vector<std::int64_t>& truth,
                                                          const std::vector<double>& calibrated_probability,
                                                          const OperatingPoints& points, double threshold);

// One row per threshold: threshold, sensitivity, specificity, macro F1, CTC
// calls and leukocytes among them (what an expert still has to look at).
std::string operating_points_table(const std::vector<ThresholdMetrics>& rows);

// What eval prints after the metrics table: the calibration line, the
// evaluated cells' ECE before and after the temperature, and the table of
// operating points.
std::string operating_points_summary(const OperatingPoints& points, double ece, double ece_calibrated,
                                     const std::vector<ThresholdMetrics>& rows);

// "T = 1.84; validation ECE 0.081 -> 0.032 (15 bins)", or that the checkpoint predates calibration.
std::string calibration_line(const OperatingPoints& points);

}  // namespace ctcscope
