// Statistical tests between two samples of per-seed scores, as the paper's
// section 4.3 (Shapiro-Wilk, Levene, Mann-Whitney U, Student's t), with
// scipy 1.10's definitions, and the distribution functions they need.
//
// Each test returns {statistic, p_value, method}; p-values are two-sided.
// Degenerate input (zero variance) gives what IEEE arithmetic gives (NaN or
// inf), as scipy; too few values throw ctcscope::Error.
#pragma once

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "eval/metrics.h"

namespace ctcscope {

struct TestResult {
  double statistic = std::numeric_limits<double>::quiet_NaN();
  double p_value = std::numeric_limits<double>::quiet_NaN();
  std::string method;  // e.g. "Mann-Whitney U, exact, two-sided"
  // Degrees of freedom where the test has them (t: df1; Levene's F: df1, df2).
  double df1 = std::numeric_limits<double>::quiet_NaN();
  double df2 = std::numeric_limits<double>::quiet_NaN();
};

// ---- distribution functions (double precision, checked against scipy) ----

double normal_cdf(double z);       // Phi(z), via erfc (accurate in both tails)
double normal_sf(double z);        // 1 - Phi(z), without cancellation
double normal_quantile(double p);  // Phi^-1(p), p in (0, 1); +-inf at 0 and 1
// Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1]: Lentz's
// continued fraction (Numerical Recipes' betacf), on the side that converges.
double incomplete_beta(double a, double b, double x);
double student_t_sf(double t, double df);  // P(T > t)
double f_sf(double f, double df1, double df2);  // P(F > f)

// ---- tests ----

// Shapiro-Wilk W and p by Royston's AS R94 (scipy's swilk), 3 <= n <= 5000.
// scipy runs AS R94 in single precision (float32 coefficients); this runs it in
// double, so W agrees with scipy to ~1e-7 and p to ~1e-5 relative. A sample
// with zero range gives W = 1, p = 1 (scipy's values, which it warns about).
TestResult shapiro_wilk(const std::vector<double>& x);

enum class LeveneCenter { median, mean };  // median = Brown-Forsythe (scipy's default)
// Levene's test of equal variances over k >= 2 groups (each n >= 2): F
// statistic with (k - 1, N - k) degrees of freedom.
TestResult levene(const std::vector<std::vector<double>>& groups, LeveneCenter center = LeveneCenter::median);

enum class MannWhitneyMethod { automatic, exact, asymptotic };
// Two-sided Mann-Whitney U as scipy.stats.mannwhitneyu(x, y,
// use_continuity=True): statistic U1 of x (average ranks); p from the exact
// distribution of U when `automatic` picks it (a sample of 8 or fewer and no
// ties) or when asked, otherwise the normal approximation with tie and
// continuity corrections. p = min(1, 2 * P(U >= max(U1, U2))).
TestResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y,
                          MannWhitneyMethod method = MannWhitneyMethod::automatic);

// Two-sample t tests (two-sided), statistic for mean(x) - mean(y), each n >= 2.
TestResult student_t_test(const std::vector<double>& x, const std::vector<double>& y);  // equal variances
TestResult welch_t_test(const std::vector<double>& x, const std::vector<double>& y);    // Welch-Satterthwaite df

// ---- the paper's comparison of two configurations ----

struct SampleComparison {
  MeanStd a, b;
  TestResult shapiro_a, shapiro_b;  // method "not run: n < 3" and NaN when too small
  TestResult levene_median, levene_mean;
  TestResult mann_whitney, student_t, welch_t;
  double alpha = 0.05;
  bool normal = false;           // both Shapiro-Wilk p > alpha
  bool equal_variances = false;  // Levene (median) p > alpha
  std::string chosen_test;       // "Student's t", "Welch's t" or "Mann-Whitney U"
  double chosen_p = std::numeric_limits<double>::quiet_NaN();
  std::string reading;           // one sentence, as the paper reads its figure 4
};

// Runs every test. The reading follows the paper: normal samples are
// compared with Student's t (Welch's t when Levene rejects equal variances),
// otherwise with Mann-Whitney U; the difference is significant when that
// test's p < alpha. Each sample needs n >= 2.
SampleComparison compare_samples(const std::vector<double>& a, const std::vector<double>& b, double alpha = 0.05);

}  // namespace ctcscope
