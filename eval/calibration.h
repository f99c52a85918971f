// Calibration: does a CTC probability of 0.8 mean that 8 in 10 such cells
// are CTCs? The expected calibration error, the reliability diagram's data,
// and temperature scaling (Guo et al. 2017), which fits one scalar T on the
// validation split and divides the logits by it. For two classes softmax(z /
// T)[ctc] = sigmoid((z_ctc - z_leukocyte) / T), so the logit margin is all
// it needs. T changes no call at 0.5 and no ranking (ROC, AUC).
#pragma once

#include <cstdint>
#include <vector>

namespace ctcscope {

// The common binary definition, on the CTC probability (not the confidence
// of the called class): 15 equal-width bins on [0, 1], bin b = [b/15,
// (b+1)/15) with the last one closed (scikit-learn's calibration_curve,
// strategy "uniform"); ECE = sum over bins of (n_b / N) |fraction of CTCs
// in b - mean probability in b|.
inline constexpr int kCalibrationBins = 15;

struct ReliabilityBin {
  double lower = 0, upper = 0;        // the bin's edges
  std::int64_t count = 0;             // cells in it
  double mean_probability = 0;        // NaN when empty
  double fraction_positive = 0;       // CTCs / count; NaN when empty
};

// Labels 0 or 1, probabilities in [0, 1]; throws naming the index otherwise.
std::vector<ReliabilityBin> reliability_bins(const std::vector<std::int64_t>& truth,
                                             const std::vector<double>& probability, int bins = kCalibrationBins);
// NaN for no cells.
double expected_calibration_error(const std::vector<std::int64_t>& truth, const std::vector<double>& probability,
                                  int bins = kCalibrationBins);

// sigmoid(margin / temperature), without overflow for large |margin|.
double calibrated_probability(double logit_margin, double temperature);
std::vector<double> calibrated_probabilities(const std::vector<double>& logit_margin, double temperature);

// Mean negative log-likelihood of the labels under sigmoid(margin / T).
double temperature_nll(const std::vector<std::int64_t>& truth, const std::vector<double>& logit_margin,
                       double temperature);

// The T > 0 minimising temperature_nll: bisection on log T over
// [kMinTemperature, kMaxTemperature] on the sign of the NLL's derivative,
// to 1e-12 in log T (deterministic). The NLL is convex in 1/T, so its
// derivative changes sign once, at the minimum; where it does not inside
// the bounds (margins ranking CTCs below leukocytes, one class only) T ends
// at the nearer bound. The sign of the derivative, not a comparison of NLL
// values, because the NLL is flat at its minimum: values locate T only to
// about 1e-8. No cells: 1.
inline constexpr double kMinTemperature = 1e-2;
inline constexpr double kMaxTemperature = 1e2;
double fit_temperature(const std::vector<std::int64_t>& truth, const std::vector<double>& logit_margin);

}  // namespace ctcscope
