// Metrics: hand-made confusion matrices (perfect, all wrong, imbalanced, a
// class never predicted), ROC with tied scores against hand-computed points,
// AUC against the Mann-Whitney identity, mean ± std edge cases.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "eval/metrics.h"
#include "tests/support/test_util.h"
#include "base/error.h"

namespace ctcscope {
namespace {

using Labels = std::vector<std::int64_t>;

TEST(Metrics, Perfect) {
  const Labels y{0, 1, 1, 0, 1};
  const Metrics m = compute_metrics(y, y);
  EXPECT_EQ(m.n, 5);
  EXPECT_DOUBLE_EQ(m.accuracy, 1.0);
  EXPECT_DOUBLE_EQ(m.macro_precision, 1.0);
  EXPECT_DOUBLE_EQ(m.macro_recall, 1.0);
  EXPECT_DOUBLE_EQ(m.macro_f1, 1.0);
  EXPECT_DOUBLE_EQ(m.sensitivity, 1.0);
  EXPECT_DOUBLE_EQ(m.specificity, 1.0);
  EXPECT_EQ(m.confusion, (std::vector<Labels>{{2, 0}, {0, 3}}));
  EXPECT_EQ(m.per_class[0].support, 2);
  EXPECT_EQ(m.per_class[1].support, 3);
}

TEST(Metrics, AllWrong) {
  const Metrics m = compute_metrics({0, 1, 1, 0}, {1, 0, 0, 1});
  EXPECT_DOUBLE_EQ(m.accuracy, 0.0);
  EXPECT_DOUBLE_EQ(m.macro_precision, 0.0);
  EXPECT_DOUBLE_EQ(m.macro_recall, 0.0);
  EXPECT_DOUBLE_EQ(m.macro_f1, 0.0);  // precision + recall = 0 gives F1 0, not NaN
  EXPECT_EQ(m.confusion, (std::vector<Labels>{{0, 2}, {2, 0}}));
}

// Everything called leukocyte: CTC is never predicted, so its precision is 0
// (scikit-learn zero_division=0):
//   precision_recall_fscore_support([0]*8+[1]*2, [0]*10, zero_division=0)
//   -> precision [0.8, 0], recall [1, 0], f1 [0.888.., 0]
TEST(Metrics, ClassNeverPredicted) {
  const Labels y{0, 0, 0, 0, 0, 0, 0, 0, 1, 1};
  const Labels p(10, 0);
  const Metrics m = compute_metrics(y, p);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.8);
  EXPECT_DOUBLE_EQ(m.per_class[0].precision, 0.8);
  EXPECT_DOUBLE_EQ(m.per_class[0].recall, 1.0);
  EXPECT_DOUBLE_EQ(m.per_class[0].f1, 2 * 0.8 / 1.8);
  EXPECT_DOUBLE_EQ(m.per_class[1].precision, 0.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].recall, 0.0);
  EXPECT_DOUBLE_EQ(m.per_class[1].f1, 0.0);
  EXPECT_DOUBLE_EQ(m.macro_precision, 0.4);
  EXPECT_DOUBLE_EQ(m.macro_recall, 0.5);
  EXPECT_DOUBLE_EQ(m.macro_f1, 0.8 / 1.8);
  EXPECT_DOUBLE_EQ(m.sensitivity, 0.0);
  EXPECT_DOUBLE_EQ(m.specificity, 1.0);
}

// Imbalanced: 90 leukocytes, 10 CTCs. confusion [[85, 5], [3, 7]].
// precision: 85/88, 7/12; recall: 85/90, 7/10.
TEST(Metrics, Imbalanced) {
  Labels y, p;
  auto add = [&](std::int64_t t, std::int64_t q, int count) {
    for (int i = 0; i < count; ++i) {
      y.push_back(t);
      p.push_back(q);
    }
  };
  add(0, 0, 40);
  add(1, 1, 4);
  add(0, 1, 5);
  add(1, 0, 3);
  add(0, 0, 45);
  add(1, 1, 3);
  const Metrics m = compute_metrics(y, p);
  EXPECT_EQ(m.confusion, (std::vector<Labels>{{85, 5}, {3, 7}}));
  const double p0 = 85.0 / 88, p1 = 7.0 / 12, r0 = 85.0 / 90, r1 = 0.7;
  const double f0 = 2 * p0 * r0 / (p0 + r0), f1 = 2 * p1 * r1 / (p1 + r1);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.92);
  EXPECT_DOUBLE_EQ(m.macro_precision, (p0 + p1) / 2);
  EXPECT_DOUBLE_EQ(m.macro_recall, (r0 + r1) / 2);
  EXPECT_DOUBLE_EQ(m.macro_f1, (f0 + f1) / 2);
  EXPECT_DOUBLE_EQ(m.sensitivity, 0.7);
  EXPECT_DOUBLE_EQ(m.specificity, r0);
  // /usr/bin/python3: p0=85/88;p1=7/12;r0=85/90;r1=.7
  //   (2*p0*r0/(p0+r0)+2*p1*r1/(p1+r1))/2 = 0.7957099080694587
  EXPECT_NEAR(m.macro_f1, 0.7957099080694587, 1e-15);
}

TEST(Metrics, ThreeClassesAndErrors) {
  const Metrics m = compute_metrics({0, 1, 2, 2}, {0, 2, 2, 2}, 3);
  EXPECT_EQ(m.confusion, (std::vector<Labels>{{1, 0, 0}, {0, 0, 1}, {0, 0, 2}}));
  EXPECT_DOUBLE_EQ(m.per_class[2].precision, 2.0 / 3);
  test::expect_error_containing([] { compute_metrics({0, 1}, {0}); }, "1 predictions");
  test::expect_error_containing([] { compute_metrics({0, 2}, {0, 1}); }, "index 1");
  test::expect_error_containing([] { compute_metrics({}, {}); }, "no samples");
}

// Tied scores: 0.4 is held by two negatives and a positive, 0.1 by one of each.
// Points computed by hand with numpy (s >= t counts per distinct threshold).
TEST(Roc, TiesGiveOnePointPerDistinctScore) {
  const Labels y{0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1};
  const std::vector<double> s{0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.1, 0.65, 0.3, 0.7};
  const auto c = roc_curve(y, s);
  const std::vector<RocPoint> want{{INFINITY, 0, 0},         {0.9, 0, 1.0 / 6},       {0.8, 0, 2.0 / 6},
                                   {0.7, 0, 0.5},            {0.65, 1.0 / 6, 0.5},    {0.4, 0.5, 4.0 / 6},
                                   {0.35, 0.5, 5.0 / 6},     {0.3, 4.0 / 6, 5.0 / 6}, {0.2, 5.0 / 6, 5.0 / 6},
                                   {0.1, 1, 1}};
  ASSERT_EQ(c.size(), want.size());
  for (std::size_t i = 0; i < c.size(); ++i) {
    EXPECT_EQ(c[i].threshold, want[i].threshold) << i;
    EXPECT_NEAR(c[i].false_positive_rate, want[i].false_positive_rate, 1e-15) << i;
    EXPECT_NEAR(c[i].true_positive_rate, want[i].true_positive_rate, 1e-15) << i;
  }
  // scipy.stats.mannwhitneyu(s[y==1], s[y==0]).statistic / (6*6) = 0.7083333333333334
  EXPECT_NEAR(roc_auc(y, s), 0.7083333333333334, 1e-15);
}

// AUC = P(score_pos > score_neg) + P(tie)/2, counted pair by pair.
TEST(Roc, AucEqualsMannWhitneyProbability) {
  Labels y;
  std::vector<double> s;
  for (int i = 0; i < 61; ++i) {
    y.push_back(i % 3 == 0 ? 1 : 0);
    s.push_back(std::floor(std::fmod(i * 0.37, 1.0) * 8) / 8 + (i % 3 == 0 ? 0.2 : 0.0));  // many ties
  }
  double wins = 0, pairs = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    for (std::size_t j = 0; j < y.size(); ++j) {
      if (y[i] != 1 || y[j] != 0) continue;
      pairs += 1;
      wins += s[i] > s[j] ? 1.0 : s[i] == s[j] ? 0.5 : 0.0;
    }
  }
  EXPECT_NEAR(roc_auc(y, s), wins / pairs, 1e-12);
}

TEST(Roc, PerfectInvertedAndOneClass) {
  EXPECT_DOUBLE_EQ(roc_auc({0, 0, 1, 1}, {0.1, 0.2, 0.8, 0.9}), 1.0);
  EXPECT_DOUBLE_EQ(roc_auc({0, 0, 1, 1}, {0.9, 0.8, 0.2, 0.1}), 0.0);
  EXPECT_DOUBLE_EQ(roc_auc({0, 1, 0, 1}, {0.5, 0.5, 0.5, 0.5}), 0.5);
  EXPECT_TRUE(std::isnan(roc_auc({1, 1}, {0.2, 0.3})));
  test::expect_error_containing([] { roc_curve({0, 2}, {0.1, 0.2}); }, "index 1");
}

// An undefined AUC (one class) is shown as "n/a" with the reason, never a number.
TEST(Roc, AucTextSaysNaWithTheReasonWhenUndefined) {
  const double one_class = roc_auc({1, 1, 1}, {0.2, 0.5, 0.9});
  ASSERT_TRUE(std::isnan(one_class));
  EXPECT_EQ(roc_auc_text(one_class), "n/a (the cells are all of one class)");
  EXPECT_EQ(roc_auc_text(0.91234), "0.9123");
  EXPECT_EQ(roc_auc_text(0.91234, 2), "0.91");
}

TEST(MeanStd, SampleStdAndSmallN) {
  // numpy: np.std([0.777, 0.765, 0.789, 0.781, 0.773], ddof=1) = 0.008944271909999166
  const MeanStd a = mean_std({0.777, 0.765, 0.789, 0.781, 0.773});
  EXPECT_EQ(a.n, 5);
  EXPECT_NEAR(a.mean, 0.777, 1e-15);
  EXPECT_NEAR(a.std, 0.008944271909999166, 1e-15);
  const MeanStd one = mean_std({0.5});
  EXPECT_DOUBLE_EQ(one.mean, 0.5);
  EXPECT_TRUE(std::isnan(one.std));  // pandas' Series.std() of one value
  const MeanStd none = mean_std({});
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_EQ(none.n, 0);
}

}  // namespace
}  // namespace ctcscope
