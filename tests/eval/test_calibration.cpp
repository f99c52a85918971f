// Calibration: reliability bins and ECE on hand-worked cells (edges placed
// as scikit-learn's calibration_curve places them), the sigmoid without
// overflow, and the fitted temperature against a closed form and against
// the first-order condition of its NLL.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "eval/calibration.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

using Labels = std::vector<std::int64_t>;

// Bins of width 1/15: 0 and 0.05 in bin 0, 0.5 and 0.52 in bin 7
// ([0.4667, 0.5333)), 1.0 in the last (closed) bin.
// ECE = (2 |0 - 0.025| + 2 |0.5 - 0.51| + 1 |1 - 1|) / 5 = 0.014.
TEST(Calibration, HandWorkedBinsAndEce) {
  const Labels truth{0, 0, 1, 0, 1};
  const std::vector<double> p{0.0, 0.05, 0.5, 0.52, 1.0};
  const auto bins = reliability_bins(truth, p);
  ASSERT_EQ(bins.size(), 15u);
  EXPECT_EQ(bins[0].count, 2);
  EXPECT_DOUBLE_EQ(bins[0].mean_probability, 0.025);
  EXPECT_DOUBLE_EQ(bins[0].fraction_positive, 0.0);
  EXPECT_EQ(bins[7].count, 2);
  EXPECT_DOUBLE_EQ(bins[7].mean_probability, 0.51);
  EXPECT_DOUBLE_EQ(bins[7].fraction_positive, 0.5);
  EXPECT_EQ(bins[14].count, 1);
  EXPECT_TRUE(std::isnan(bins[3].mean_probability));  // empty
  EXPECT_DOUBLE_EQ(bins[14].upper, 1.0);
  EXPECT_NEAR(expected_calibration_error(truth, p), 0.014, 1e-15);
}

// numpy.searchsorted(linspace(0, 1, 16)[1:-1], p, side="right"): a
// probability on an edge opens the upper bin.
TEST(Calibration, ProbabilityOnAnEdgeGoesToTheUpperBin) {
  const auto bins = reliability_bins({1}, {1 * (1.0 / 15)});
  EXPECT_EQ(bins[1].count, 1);
  EXPECT_EQ(bins[0].count, 0);
}

TEST(Calibration, BadInputIsRefused) {
  EXPECT_THROW(reliability_bins({0, 1}, {0.5}), Error);
  EXPECT_THROW(reliability_bins({2}, {0.5}), Error);
  EXPECT_THROW(reliability_bins({1}, {1.5}), Error);
  EXPECT_TRUE(std::isnan(expected_calibration_error({}, {})));
}

TEST(Calibration, SigmoidOfLargeMarginsIsExact) {
  EXPECT_EQ(calibrated_probability(1000, 1), 1.0);
  EXPECT_EQ(calibrated_probability(-1000, 1), 0.0);
  EXPECT_DOUBLE_EQ(calibrated_probability(2, 1), 1 / (1 + std::exp(-2.0)));
  EXPECT_DOUBLE_EQ(calibrated_probability(-3, 2), 1 / (1 + std::exp(1.5)));
}

// Two cells: a CTC at margin 2 and a leukocyte at margin 1, T = 2:
// NLL = (log(1 + e^-1) + log(1 + e^0.5)) / 2.
TEST(Calibration, NllByHand) {
  EXPECT_DOUBLE_EQ(temperature_nll({1, 0}, {2, 1}, 2), (std::log1p(std::exp(-1.0)) + std::log1p(std::exp(0.5))) / 2);
}

// Margins +4 on 4 cells of which 3 are CTCs, -4 on 4 of which 3 are
// leukocytes: the NLL is least where sigmoid(4 / T) = 3/4, T = 4 / ln 3.
// After it, each bin's mean probability equals its fraction of CTCs: ECE 0.
TEST(Calibration, FittedTemperatureMatchesTheClosedForm) {
  const Labels truth{1, 1, 1, 0, 0, 0, 0, 1};
  const std::vector<double> margin{4, 4, 4, 4, -4, -4, -4, -4};
  const double t = fit_temperature(truth, margin);
  EXPECT_NEAR(t, 4 / std::log(3.0), 1e-10);  // bisection stops at 1e-12 in log T
  EXPECT_GT(expected_calibration_error(truth, calibrated_probabilities(margin, 1)), 0.2);
  EXPECT_NEAR(expected_calibration_error(truth, calibrated_probabilities(margin, t)), 0, 1e-8);
}

// At the minimum over beta = 1/T the derivative mean((sigmoid(beta m) - y) m)
// is zero; an overconfident model (margins too large for its errors) gets
// T > 1, an underconfident one T < 1.
TEST(Calibration, FittedTemperatureZeroesTheNllDerivative) {
  for (double scale : {0.2, 1.0, 5.0}) {
    const Philox rng(Seed{"calibration.margins", 0, 5});
    Labels truth(200);
    std::vector<double> margin(200);
    for (std::size_t i = 0; i < truth.size(); ++i) {
      const double true_margin = 3 * rng.normal(2 * i);
      truth[i] = rng.uniform(2 * i + 1) < calibrated_probability(true_margin, 1) ? 1 : 0;
      margin[i] = scale * true_margin;
    }
    const double t = fit_temperature(truth, margin);
    double derivative = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      derivative += (calibrated_probability(margin[i], t) - static_cast<double>(truth[i])) * margin[i];
    }
    EXPECT_NEAR(derivative / 200, 0, 1e-9) << "scale " << scale;
    if (scale == 5.0) {
      EXPECT_GT(t, 2.0);
    }
    if (scale == 0.2) {
      EXPECT_LT(t, 0.5);
    }
  }
}

TEST(Calibration, TemperatureIsDeterministicAndOneWithoutCells) {
  const Labels truth{1, 0, 1, 0, 1};
  const std::vector<double> margin{2.5, -1, 0.3, 0.7, 4};
  EXPECT_EQ(fit_temperature(truth, margin), fit_temperature(truth, margin));
  EXPECT_EQ(fit_temperature({}, {}), 1.0);
}

}  // namespace
}  // namespace ctcscope
