// The Poisson-binomial count of CTCs: its distribution against enumerating
// every outcome, its interval against the binomial's quantiles, and
// the normal approximation beyond the exact limit against the exact interval.
#include <gtest/gtest.h>

#include <cmath>

#include "base/error.h"
#include "eval/poisson_binomial.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// P(count = k) summed over all 2^n outcomes.
std::vector<double> enumerated_pmf(const std::vector<double>& p) {
  std::vector<double> pmf(p.size() + 1, 0.0);
  for (unsigned outcome = 0; outcome < (1u << p.size()); ++outcome) {
    double prob = 1;
    int k = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      const bool ctc = (outcome >> i) & 1u;
      prob *= ctc ? p[i] : 1.0 - p[i];
      k += ctc;
    }
    pmf[static_cast<std::size_t>(k)] += prob;
  }
  return pmf;
}

TEST(PoissonBinomial, PmfEqualsEnumeratingEveryOutcome) {
  const std::vector<double> p = {0.01, 0.5, 0.93, 0.2, 1.0, 0.0, 0.77, 0.35, 0.6, 0.05};
  const std::vector<double> got = poisson_binomial_pmf(p), want = enumerated_pmf(p);
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    EXPECT_NEAR(got[k], want[k], test::tol::kDouble.atol + test::tol::kDouble.rtol * want[k]) << "k=" << k;
  }
}

TEST(PoissonBinomial, IntervalOfEqualProbabilitiesIsTheBinomialsQuantiles) {
  // The binomial's quantiles (smallest k with CDF >= q, as scipy's
  // binom.ppf), from the closed form C(n,k) p^k (1-p)^(n-k) in Python:
  // [2, 8] for n = 10, p = 0.5 and [1, 8] for n = 40, p = 0.1.
  ExpectedCount c = expected_count(std::vector<double>(10, 0.5));
  EXPECT_TRUE(c.exact);
  EXPECT_DOUBLE_EQ(c.expected, 5.0);
  EXPECT_DOUBLE_EQ(c.sd, std::sqrt(2.5));
  EXPECT_EQ(c.low, 2);
  EXPECT_EQ(c.high, 8);
  c = expected_count(std::vector<double>(40, 0.1));
  EXPECT_EQ(c.low, 1);
  EXPECT_EQ(c.high, 8);
}

TEST(PoissonBinomial, CertainCellsGiveAPointInterval) {
  const ExpectedCount c = expected_count({1.0, 1.0, 0.0, 1.0});
  EXPECT_DOUBLE_EQ(c.expected, 3.0);
  EXPECT_EQ(c.low, 3);
  EXPECT_EQ(c.high, 3);
  const ExpectedCount none = expected_count({});
  EXPECT_EQ(none.low, 0);
  EXPECT_EQ(none.high, 0);
}

// Beyond the exact limit the normal approximation takes over; at that size
// the two intervals differ by a count or two at most (rounding outward).
TEST(PoissonBinomial, NormalApproximationBeyondTheLimitAgreesWithTheExactInterval) {
  std::vector<double> p(kMaxExactIntervalCells);
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = 0.02 + 0.9 * static_cast<double>(i % 97) / 97.0;
  const ExpectedCount exact = expected_count(p);
  p.push_back(0.0);  // one more cell, certainly not a CTC: the same distribution
  const ExpectedCount normal = expected_count(p);
  EXPECT_TRUE(exact.exact);
  EXPECT_FALSE(normal.exact);
  EXPECT_NEAR(static_cast<double>(normal.low), static_cast<double>(exact.low), 2.0);
  EXPECT_NEAR(static_cast<double>(normal.high), static_cast<double>(exact.high), 2.0);
  EXPECT_LE(normal.low, exact.low);  // outward rounding
  EXPECT_GE(normal.high, exact.high);
}

TEST(PoissonBinomial, ProbabilityOutsideZeroOneIsRefused) {
  test::expect_error_containing([] { poisson_binomial_pmf({0.5, 1.5}); }, "probability 1.5 of cell 1");
  test::expect_error_containing([] { expected_count({0.5}, 1.0); }, "interval level 1");
}

}  // namespace
}  // namespace ctcscope
