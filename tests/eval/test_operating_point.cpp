// Operating points and the precision-recall curve: a hand-worked ROC with a
// tie that holds both classes, Youden's J with two equal maxima, and the
// sensitivity target against a brute-force search over every threshold.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "eval/metrics.h"
#include "eval/operating_point.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

using Labels = std::vector<std::int64_t>;

// 4 CTCs, 6 leukocytes; 0.3 is held by a CTC and a leukocyte. From the top,
// (threshold: TP, FP): 0.9: 1,0  0.8: 2,0  0.7: 2,1  0.6: 3,1  0.4: 3,2
// 0.3: 4,3  0.2: 4,4  0.1: 4,5  0.05: 4,6.
const Labels kTruth{1, 1, 1, 1, 0, 0, 0, 0, 0, 0};
const std::vector<double> kScores{0.9, 0.8, 0.6, 0.3, 0.7, 0.4, 0.3, 0.2, 0.1, 0.05};

TEST(OperatingPoint, SensitivityTargetTakesTheHighestThresholdReachingIt) {
  EXPECT_EQ(threshold_for_sensitivity(kTruth, kScores, 0.25), 0.9);
  EXPECT_EQ(threshold_for_sensitivity(kTruth, kScores, 0.5), 0.8);  // exactly reached: 2 of 4
  EXPECT_EQ(threshold_for_sensitivity(kTruth, kScores, 0.6), 0.6);
  EXPECT_EQ(threshold_for_sensitivity(kTruth, kScores, 0.75), 0.6);
  // The last CTC shares 0.3 with a leukocyte: both are called together.
  EXPECT_EQ(threshold_for_sensitivity(kTruth, kScores, 0.95), 0.3);
  EXPECT_EQ(threshold_for_sensitivity(kTruth, kScores, 1.0), 0.3);
}

TEST(OperatingPoint, SensitivityTargetWithoutCtcsIsNaN) {
  EXPECT_TRUE(std::isnan(threshold_for_sensitivity({0, 0, 0}, {0.2, 0.5, 0.9}, 0.95)));
}

// J = TPR - FPR: 0.25, 0.5, 0.333, 0.583 (at 0.6), 0.417, 0.5, 0.333, 0.167, 0.
TEST(OperatingPoint, YoudenMaximisesTprMinusFpr) { EXPECT_EQ(youden_threshold(kTruth, kScores), 0.6); }

// J = 0.5 at 0.9 and again at 0.7: the higher threshold calls fewer cells.
TEST(OperatingPoint, YoudenTieGoesToTheHigherThreshold) {
  EXPECT_EQ(youden_threshold({1, 0, 1, 0}, {0.9, 0.8, 0.7, 0.1}), 0.9);
}

TEST(OperatingPoint, YoudenWithOneClassIsNaN) { EXPECT_TRUE(std::isnan(youden_threshold({1, 1}, {0.2, 0.4}))); }

// The definition itself, by brute force: sensitivity of the calls at every
// distinct score; the answer is the largest score whose calls reach the target.
TEST(OperatingPoint, SensitivityTargetAgreesWithBruteForce) {
  for (std::uint64_t trial = 0; trial < 20; ++trial) {
    const Philox rng(Seed{"operating_point.scores", trial, 11});
    std::uint64_t draw = 0;
    Labels truth(60);
    std::vector<double> scores(60);
    for (std::size_t i = 0; i < truth.size(); ++i) {
      truth[i] = rng.uniform(draw++) < 0.3 ? 1 : 0;
      // Rounded to 0.05: many ties, some mixing classes.
      scores[i] = std::round((0.3 * static_cast<double>(truth[i]) + 0.7 * rng.uniform(draw++)) * 20) / 20;
    }
    truth[0] = 1;
    for (double target : {0.5, 0.8, 0.9, 0.95, 1.0}) {
      double expected = -1;
      for (double t : scores) {
        Labels calls(scores.size());
        for (std::size_t i = 0; i < scores.size(); ++i) calls[i] = scores[i] >= t ? 1 : 0;
        if (compute_metrics(truth, calls).sensitivity >= target && t > expected) expected = t;
      }
      EXPECT_EQ(threshold_for_sensitivity(truth, scores, target), expected)
          << "trial " << trial << " target " << target;
    }
  }
}

TEST(PrecisionRecall, HandWorkedCurve) {
  const auto curve = precision_recall_curve(kTruth, kScores);
  // (threshold, precision, recall): the +inf end point, then TP/(TP+FP), TP/4.
  const std::vector<PrPoint> expected{{std::numeric_limits<double>::infinity(), 1, 0},
                                      {0.9, 1, 0.25}, {0.8, 1, 0.5},     {0.7, 2.0 / 3, 0.5},
                                      {0.6, 0.75, 0.75}, {0.4, 0.6, 0.75}, {0.3, 4.0 / 7, 1},
                                      {0.2, 0.5, 1},    {0.1, 4.0 / 9, 1}, {0.05, 0.4, 1}};
  ASSERT_EQ(curve.size(), expected.size());
  for (std::size_t i = 0; i < curve.size(); ++i) {
    EXPECT_EQ(curve[i].threshold, expected[i].threshold) << i;
    EXPECT_DOUBLE_EQ(curve[i].precision, expected[i].precision) << i;
    EXPECT_DOUBLE_EQ(curve[i].recall, expected[i].recall) << i;
  }
}

}  // namespace
}  // namespace ctcscope
