// Calibration and operating points on 40 cells against the values scipy
// 1.10.1 and numpy 1.24.2 printed (tests/eval/make_calibration_reference.py,
// run with /usr/bin/python3): the temperature as the root of the NLL's
// derivative by brentq, ECE with scikit-learn's calibration_curve bins
// written out in numpy, the thresholds from the ROC by brute force.
#include <gtest/gtest.h>

#include "eval/calibration.h"
#include "eval/operating_point.h"

namespace ctcscope {
namespace {

const std::vector<std::int64_t> kTruth{0, 1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0,
                                       0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0, 0, 1, 1, 0, 0, 0};
const std::vector<double> kMargin{-2.698, 9.028,   10.477, 2.379,   3.106,   -3.672, -6.856, -6.753, -7.488, 6.969,
                                  -0.422, 0.962,   -4.8,   -8.159,  -9.015,  -6.312, 4.494,  0.138,  -3.426, -1.795,
                                  -10.705, 9.23,   -9.123, 0.318,   16.027,  -19.134, -10.552, -5.428, 0.874, -12.862,
                                  -1.765, -0.213,  1.279,  -17.913, 4.848,   11.977, 3.274,  -5.423, -4.601, -19.847};

// Both sides find T to rounding (brentq at 1e-15, bisection at 1e-12 in log
// T); the ECE and NLL are the same sums in another order.
constexpr double kSameSums = 1e-12;
constexpr double kTemperature = 2.636401388785881;

TEST(CalibrationReference, TemperatureAndNllAsScipy) {
  const double t = fit_temperature(kTruth, kMargin);
  EXPECT_NEAR(t, kTemperature, 1e-10);
  EXPECT_NEAR(temperature_nll(kTruth, kMargin, t), 0.3522115872021389, kSameSums);
}

TEST(CalibrationReference, EceBeforeAndAfterAsNumpy) {
  EXPECT_NEAR(expected_calibration_error(kTruth, calibrated_probabilities(kMargin, 1)), 0.165107676025224, kSameSums);
  EXPECT_NEAR(expected_calibration_error(kTruth, calibrated_probabilities(kMargin, kTemperature)), 0.1475808014177274,
              kSameSums);
}

// On the calibrated probabilities at scipy's T: the same cells, so the same
// thresholds to the last bit of the sigmoid.
TEST(CalibrationReference, OperatingPointsAsNumpy) {
  const std::vector<double> p = calibrated_probabilities(kMargin, kTemperature);
  EXPECT_NEAR(threshold_for_sensitivity(kTruth, p, 0.95), 0.13935426725734446, kSameSums);
  EXPECT_NEAR(youden_threshold(kTruth, p), 0.3386148164703199, kSameSums);
}

}  // namespace
}  // namespace ctcscope
