// Operating points: chosen on validation, stored in the checkpoint, applied.
#include "train/operating_points.h"

#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "base/json.h"
#include "base/json_writer.h"
#include "eval/calibration.h"
#include "eval/operating_point.h"

namespace ctcscope {

namespace {

double number_or_nan(const JsonValue& v, const char* key, const std::string& checkpoint) {
  const JsonValue* m = v.find(key);
  CTC_CHECK_INPUT(m && (m->is_number() || m->is_null()), checkpoint, ": checkpoint operating_points lacks a number '",
                  key, "'");
  return m->is_null() ? std::nan("") : m->as_number();
}

}  // namespace

OperatingPoints choose_operating_points(const Predictions& validation, double target_sensitivity) {
  OperatingPoints p;
  p.stored = true;
  p.target_sensitivity = target_sensitivity;
  p.validation_cells = static_cast<std::int64_t>(validation.truth.size());
  p.temperature = fit_temperature(validation.truth, validation.ctc_logit_margin);
  const std::vector<double> calibrated = calibrated_probabilities(validation.ctc_logit_margin, p.temperature);
  p.sensitivity_threshold = threshold_for_sensitivity(validation.truth, calibrated, target_sensitivity);
  p.youden_threshold = youden_threshold(validation.truth, calibrated);
  p.validation_ece = expected_calibration_error(validation.truth, validation.ctc_probability);
  p.validation_ece_calibrated = expected_calibration_error(validation.truth, calibrated);
  return p;
}

void store_operating_points(CheckpointInfo& info, const OperatingPoints& points) {
  JsonWriter w;
  w.begin_object();
  w.key("target_sensitivity").number(points.target_sensitivity);
  w.key("sensitivity_threshold").number(points.sensitivity_threshold);
  w.key("youden_threshold").number(points.youden_threshold);
  w.key("validation_cells").integer(points.validation_cells);
  w.key("validation_ece").number(points.validation_ece);
  w.key("validation_ece_calibrated").number(points.validation_ece_calibrated);
  w.end_object();
  info.operating_points = w.str();
  info.temperature = points.temperature;
}

OperatingPoints stored_operating_points(const CheckpointInfo& info, const std::string& checkpoint) {
  OperatingPoints p;
  p.temperature = info.temperature;
  if (info.operating_points.empty()) return p;
  const JsonValue v = json_parse(info.operating_points, checkpoint + " operating_points");
  CTC_CHECK_INPUT(v.is_object(), checkpoint, ": checkpoint operating_points is not a JSON object");
  p.stored = true;
  p.target_sensitivity = number_or_nan(v, "target_sensitivity", checkpoint);
  p.sensitivity_threshold = number_or_nan(v, "sensitivity_threshold", checkpoint);
  p.youden_threshold = number_or_nan(v, "youden_threshold", checkpoint);
  const JsonValue* cells = v.find("validation_cells");
  CTC_CHECK_INPUT(cells && cells->is_integer(), checkpoint,
                  ": checkpoint operating_points lacks an integer 'validation_cells'");
  p.validation_cells = cells->as_integer();
  p.validation_ece = number_or_nan(v, "validation_ece", checkpoint);
  p.validation_ece_calibrated = number_or_nan(v, "validation_ece_calibrated", checkpoint);
  for (double t : {p.sensitivity_threshold, p.youden_threshold}) {
    CTC_CHECK_INPUT(std::isnan(t) || (t >= 0 && t <= 1), checkpoint, ": checkpoint threshold ", t,
                    " is not a probability");
  }
  return p;
}

double default_threshold(const OperatingPoints& points, std::string& source) {
  char buf[160];
  if (points.stored && !std::isnan(points.sensitivity_threshold)) {
    std::snprintf(buf, sizeof buf, "the checkpoint's threshold for CTC sensitivity %g on validation",
                  points.target_sensitivity);
    source = buf;
    return points.sensitivity_threshold;
  }
  source = points.stored ? "0.5: the checkpoint's validation split chose no sensitivity threshold (it had no CTC)"
                         : "0.5: the checkpoint predates stored thresholds";
  return 0.5;
}

std::vector<ThresholdMetrics> metrics_at_operating_points(const std::vector<std::int64_t>& truth,
                                                          const std::vector<double>& calibrated_probability,
                                                          const OperatingPoints& points, double threshold) {
  auto at = [&](const std::string& name, double t) {
    return ThresholdMetrics{name, t, compute_metrics(truth, calls_at(calibrated_probability, t), 2)};
  };
  char name[64];
  std::snprintf(name, sizeof name, "threshold %g", threshold);
  std::vector<ThresholdMetrics> rows{at(name, threshold)};
  if (!std::isnan(points.sensitivity_threshold)) {
    std::snprintf(name, sizeof name, "sensitivity %g (validation)", points.target_sensitivity);
    rows.push_back(at(name, points.sensitivity_threshold));
  }
  if (!std::isnan(points.youden_threshold)) rows.push_back(at("Youden's J (validation)", points.youden_threshold));
  return rows;
}

std::string operating_points_table(const std::vector<ThresholdMetrics>& rows) {
  std::string out;
  char buf[256];
  std::snprintf(buf, sizeof buf, "  %-30s %9s %11s %11s %8s %9s %22s\n", "operating point", "threshold", "sensitivity",
                "specificity", "macro F1", "CTC calls", "leukocytes among them");
  out += buf;
  for (const ThresholdMetrics& r : rows) {
    const auto& c = r.metrics.confusion;
    const long long false_calls = c.size() > 1 ? c[0][1] : 0, calls = c.size() > 1 ? c[0][1] + c[1][1] : 0;
    std::snprintf(buf, sizeof buf, "  %-30s %9.4f %11.4f %11.4f %8.4f %9lld %22lld\n", r.name.c_str(), r.threshold,
                  r.metrics.sensitivity, r.metrics.specificity, r.metrics.macro_f1, calls, false_calls);
    out += buf;
  }
  return out;
}

std::string calibration_line(const OperatingPoints& points) {
  if (points.members > 1) {
    return "an ensemble of " + std::to_string(points.members) +
           ": each member's own temperature applied before the vote; " +
           (points.stored ? "thresholds the means of the members'" : "no stored thresholds: 0.5");
  }
  if (!points.stored) {
    return "uncalibrated: the checkpoint predates temperature scaling (T = 1) and stored thresholds";
  }
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "temperature T = %.4g fitted on %lld validation cells; validation ECE %.4f -> %.4f (%d bins)",
                points.temperature, static_cast<long long>(points.validation_cells), points.validation_ece,
                points.validation_ece_calibrated, kCalibrationBins);
  return buf;
}

std::string operating_points_summary(const OperatingPoints& points, double ece, double ece_calibrated,
                                     const std::vector<ThresholdMetrics>& rows) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "  these cells' ECE %.4f -> %.4f after the temperature (%d bins)\n", ece,
                ece_calibrated, kCalibrationBins);
  return "calibration: " + calibration_line(points) + "\n" + buf +
         "operating points (thresholds on the calibrated CTC probability):\n" + operating_points_table(rows);
}

}  // namespace ctcscope
