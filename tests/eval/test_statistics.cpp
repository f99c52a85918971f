// Statistical tests and distribution functions against scipy 1.10.1 values
// printed by tests/eval/make_statistics_reference.py (run with /usr/bin/python3).
// The samples: a and b are paper-like F1 scores of 5 seeds; c, d are larger
// samples rounded to 2 decimals (many ties); e is a skewed sample of 200.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/statistics.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

const std::vector<double> a{0.777, 0.765, 0.789, 0.781, 0.773};
const std::vector<double> b{0.798, 0.795, 0.801, 0.803, 0.793};
const std::vector<double> c{0.8, 0.81, 0.79, 0.78, 0.79, 0.78, 0.8, 0.83, 0.79, 0.79, 0.81, 0.81, 0.8, 0.78, 0.8, 0.81, 0.77, 0.79, 0.76, 0.77, 0.76, 0.8, 0.77};
const std::vector<double> d{0.82, 0.81, 0.8, 0.73, 0.79, 0.81, 0.81, 0.76, 0.8, 0.78, 0.79, 0.84, 0.79, 0.81, 0.84, 0.79, 0.81, 0.81, 0.81, 0.77, 0.81, 0.85, 0.76, 0.84, 0.81, 0.79, 0.87, 0.83, 0.77, 0.81, 0.83};
const std::vector<double> e{1.434637, 1.58226, 4.298975, 1.942913, 1.836428, 1.025078, 3.117053, 0.475395, 2.649077, 1.137375, 3.873143, 1.27892, 1.364082, 1.172908, 2.164554, 1.424727, 1.651837, 3.670909, 1.635691, 1.265274, 1.659706, 0.493885, 1.303681, 1.887556, 0.806998, 1.946154, 1.449143, 2.747972, 0.656673, 1.712638, 2.025126, 3.262922, 1.78464, 1.518184, 0.59117, 0.152287, 0.796083, 1.841504, 3.855353, 1.583148, 1.468681, 3.525271, 1.60145, 0.982025, 3.873266, 3.250522, 0.921322, 1.042987, 4.344417, 1.30868, 0.826964, 0.941617, 2.141184, 0.406067, 0.97661, 2.80688, 1.760609, 2.325432, 1.488903, 0.538057, 1.093975, 1.623423, 1.09314, 1.306543, 1.695519, 2.708609, 1.039835, 3.217601, 1.491533, 2.892746, 3.161591, 4.487289, 3.045026, 3.068036, 4.411447, 0.298989, 0.669708, 3.002785, 0.157207, 1.724628, 1.716911, 0.376848, 0.700613, 2.408446, 2.248509, 0.953288, 0.764065, 0.84643, 2.144893, 0.437692, 1.553787, 0.408166, 2.822021, 1.773513, 3.645708, 0.134234, 0.19808, 0.928818, 4.049117, 0.564956, 3.59384, 1.729405, 1.716734, 2.486645, 0.650315, 0.930181, 0.505359, 1.657185, 5.024602, 1.136961, 2.204892, 2.011279, 1.776425, 1.342563, 3.719126, 1.659505, 1.0477, 3.247321, 2.687939, 1.960627, 1.417395, 4.47944, 1.592328, 0.973949, 2.410106, 1.258505, 1.58183, 1.20953, 1.397288, 0.340017, 0.789084, 0.856641, 1.293712, 1.926221, 0.684862, 5.857682, 1.418235, 2.113479, 0.607146, 0.749717, 4.510779, 2.488035, 1.425374, 0.458971, 4.398365, 0.72229, 1.096837, 1.415413, 2.079857, 1.615338, 1.560596, 5.436548, 1.739761, 2.219363, 2.754774, 0.290312, 0.935011, 6.610663, 0.849444, 1.595293, 0.578255, 0.578642, 3.449377, 1.126522, 1.501914, 1.266052, 0.411205, 1.431773, 3.32318, 0.845481, 2.225834, 3.379675, 0.539711, 2.937779, 0.220649, 2.564064, 1.218766, 0.594379, 1.450263, 0.962898, 0.306158, 3.286593, 3.469495, 0.64957, 1.141487, 1.065903, 1.30356, 0.49467, 3.086017, 1.6712, 0.696682, 1.083221, 0.849009, 1.390128, 2.546295, 2.572993, 0.621156, 1.734644, 0.749099, 0.285559};

// |got - want| <= rel * |want| (+ a tiny absolute floor for zeros).
void expect_rel(double got, double want, double rel, const char* what) {
  EXPECT_LE(std::fabs(got - want), rel * std::fabs(want) + 1e-300) << what << ": got " << got << " want " << want;
}

// scipy computes the same formulas in double: agreement to rounding.
constexpr double kSame = 1e-10;
// scipy's Shapiro-Wilk runs AS R94 in float32 (scipy/stats/statlib/swilk.f,
// a = zeros(N, 'f')); this is double. W agrees to float32 rounding, p to the
// float32 error of log(1 - W) carried through the normal tail.
constexpr double kShapiroW = 1e-6;  // worst seen: 3.2e-7 (n=23)
constexpr double kShapiroP = 3e-5;  // worst seen: 1.5e-5 (n=200), 1.2e-5 (n=3)

std::vector<double> head(const std::vector<double>& v, std::size_t n) { return {v.begin(), v.begin() + static_cast<long>(n)}; }

TEST(Distributions, NormalCdfAndQuantile) {
  expect_rel(normal_cdf(-8.5), 9.47953482220325e-18, 1e-13, "ndtr(-8.5)");
  expect_rel(normal_cdf(-1.96), 0.024997895148220435, 1e-14, "ndtr(-1.96)");
  expect_rel(normal_cdf(0.3), 0.6179114221889526, 1e-14, "ndtr(0.3)");
  expect_rel(normal_sf(5.0), 2.866515718791933e-07, 1e-13, "ndtr(-5)");
  expect_rel(normal_quantile(1e-10), -6.361340902404056, 1e-13, "ndtri(1e-10)");
  expect_rel(normal_quantile(0.01), -2.3263478740408408, 1e-14, "ndtri(0.01)");
  expect_rel(normal_quantile(0.3), -0.5244005127080409, 1e-14, "ndtri(0.3)");
  expect_rel(normal_quantile(0.975), 1.959963984540054, 1e-14, "ndtri(0.975)");
  expect_rel(normal_quantile(0.999999999999), 7.0344869100478356, 1e-9, "ndtri(1-1e-12)");  // 1-p has 4 digits left
  EXPECT_EQ(normal_quantile(0), -INFINITY);
  EXPECT_DOUBLE_EQ(normal_quantile(0.5), 0.0);
}

TEST(Distributions, IncompleteBeta) {
  expect_rel(incomplete_beta(0.5, 0.5, 0.3), 0.3690101195655454, 1e-13, "betainc(.5,.5,.3)");
  expect_rel(incomplete_beta(2.5, 0.5, 0.9), 0.4895897445644274, 1e-13, "betainc(2.5,.5,.9)");
  expect_rel(incomplete_beta(10, 3, 0.7), 0.2528153478549999, 1e-13, "betainc(10,3,.7)");
  expect_rel(incomplete_beta(200, 150, 0.55), 0.2084878008595939, 1e-11, "betainc(200,150,.55)");
  expect_rel(incomplete_beta(0.5, 40, 0.001), 0.22208013236431182, 1e-13, "betainc(.5,40,.001)");
  expect_rel(incomplete_beta(4, 1.5, 0.999), 0.9997928488058521, 1e-13, "betainc(4,1.5,.999)");
  EXPECT_EQ(incomplete_beta(2, 3, 0), 0.0);
  EXPECT_EQ(incomplete_beta(2, 3, 1), 1.0);
}

TEST(Distributions, StudentTAndF) {
  expect_rel(student_t_sf(2.3, 4), 0.04146951855619119, 1e-13, "t.sf(2.3,4)");
  expect_rel(student_t_sf(-1.1, 7.5), 0.8473092835537337, 1e-13, "t.sf(-1.1,7.5)");
  expect_rel(student_t_sf(12.0, 3), 0.000622507900394668, 1e-13, "t.sf(12,3)");
  expect_rel(student_t_sf(0.5, 1000), 0.3085925404169375, 1e-12, "t.sf(.5,1000)");
  expect_rel(f_sf(0.93, 1, 8), 0.3631047955765151, 1e-13, "f.sf(.93,1,8)");
  expect_rel(f_sf(4.2, 2, 30), 0.02465190328815662, 1e-13, "f.sf(4.2,2,30)");
  expect_rel(f_sf(25.0, 3, 5), 0.0019444757757270691, 1e-13, "f.sf(25,3,5)");
}

TEST(ShapiroWilk, MatchesScipy) {
  struct Case {
    std::vector<double> x;
    double w, p;
    const char* name;
  };
  const Case cases[] = {
      {a, 0.9992933869361877, 0.9998029470443726, "a (n=5)"},
      {b, 0.963555634021759, 0.8324998021125793, "b (n=5)"},
      {c, 0.9575643539428711, 0.4159938097000122, "c (n=23, ties)"},
      {d, 0.9673454165458679, 0.44912955164909363, "d (n=31, ties)"},
      {e, 0.9074774384498596, 7.730505124925457e-10, "e (n=200)"},
      {head(e, 12), 0.9209272861480713, 0.2936856150627136, "e[:12]"},
      {head(e, 7), 0.8683515191078186, 0.17955289781093597, "e[:7]"},
      {head(e, 4), 0.7639398574829102, 0.05171213299036026, "e[:4]"},
      {head(e, 3), 0.7885457277297974, 0.08743619173765182, "e[:3] (exact p)"},
  };
  for (const Case& k : cases) {
    const TestResult r = shapiro_wilk(k.x);
    expect_rel(r.statistic, k.w, kShapiroW, k.name);
    expect_rel(r.p_value, k.p, kShapiroP, k.name);
  }
}

TEST(ShapiroWilk, ZeroRangeAndBadSizes) {
  const TestResult r = shapiro_wilk({2, 2, 2, 2});
  EXPECT_EQ(r.statistic, 1.0);
  EXPECT_EQ(r.p_value, 1.0);
  test::expect_error_containing([] { shapiro_wilk({1, 2}); }, "3 to 5000");
  test::expect_error_containing([] { shapiro_wilk({1, 2, NAN}); }, "value 3");
}

TEST(Levene, MatchesScipy) {
  TestResult r = levene({a, b}, LeveneCenter::median);
  expect_rel(r.statistic, 1.5515151515151517, kSame, "ab median");
  expect_rel(r.p_value, 0.24815512940693402, kSame, "ab median p");
  EXPECT_EQ(r.df1, 1);
  EXPECT_EQ(r.df2, 8);
  r = levene({a, b}, LeveneCenter::mean);
  expect_rel(r.statistic, 1.5515151515151517, kSame, "ab mean");
  expect_rel(r.p_value, 0.24815512940693402, kSame, "ab mean p");
  r = levene({c, d}, LeveneCenter::median);
  expect_rel(r.statistic, 2.2161830182678566, kSame, "cd median");
  expect_rel(r.p_value, 0.14261041265964486, kSame, "cd median p");
  r = levene({c, d}, LeveneCenter::mean);
  expect_rel(r.statistic, 3.1801750583435826, kSame, "cd mean");
  expect_rel(r.p_value, 0.0803735404602228, kSame, "cd mean p");
  r = levene({c, d, head(e, 10)});
  expect_rel(r.statistic, 30.811367014336728, kSame, "3 groups");
  expect_rel(r.p_value, 5.638253770635012e-10, 1e-9, "3 groups p");
}

TEST(MannWhitney, MatchesScipy) {
  // Paper-like seeds: no ties, n = 5 -> exact.
  TestResult r = mann_whitney_u(a, b);
  EXPECT_EQ(r.statistic, 0.0);
  expect_rel(r.p_value, 0.007936507936507936, kSame, "ab exact");  // 2 / C(10, 5)
  EXPECT_NE(r.method.find("exact"), std::string::npos);
  r = mann_whitney_u(a, b, MannWhitneyMethod::asymptotic);
  expect_rel(r.p_value, 0.012185780355344813, kSame, "ab asymptotic");
  // Ties -> asymptotic with tie correction.
  r = mann_whitney_u(c, d);
  EXPECT_EQ(r.statistic, 232.0);
  expect_rel(r.p_value, 0.027828353446901863, kSame, "cd");
  EXPECT_NE(r.method.find("normal"), std::string::npos);
  // One sample of 6 against 13, no ties -> exact.
  r = mann_whitney_u(head(e, 6), {e.begin() + 6, e.begin() + 19});
  EXPECT_EQ(r.statistic, 42.0);
  expect_rel(r.p_value, 0.8314167772372107, kSame, "e6 e13 exact");
  // Identical samples: U = mn/2, p clipped to 1.
  EXPECT_EQ(mann_whitney_u({1, 2, 3}, {1, 2, 3}).p_value, 1.0);
}

TEST(TTests, MatchScipy) {
  TestResult r = student_t_test(a, b);
  expect_rel(r.statistic, -4.767804396458248, kSame, "student ab");
  expect_rel(r.p_value, 0.001412583439925117, kSame, "student ab p");
  EXPECT_EQ(r.df1, 8);
  r = welch_t_test(a, b);
  expect_rel(r.statistic, -4.767804396458248, kSame, "welch ab");
  expect_rel(r.p_value, 0.0036827366602651622, kSame, "welch ab p");
  r = student_t_test(c, d);
  expect_rel(r.statistic, -1.9819606680865713, kSame, "student cd");
  expect_rel(r.p_value, 0.05278047220162324, kSame, "student cd p");
  r = welch_t_test(c, d);
  expect_rel(r.statistic, -2.1236909215737194, kSame, "welch cd");
  expect_rel(r.p_value, 0.03862940618575013, kSame, "welch cd p");
  test::expect_error_containing([] { student_t_test({1}, {1, 2}); }, "2 values");
}

TEST(Compare, PaperLikeSeedsReadAsTheFigure) {
  const SampleComparison cmp = compare_samples(a, b);
  EXPECT_TRUE(cmp.normal);  // Shapiro p 0.9998 and 0.83
  EXPECT_TRUE(cmp.equal_variances);
  EXPECT_EQ(cmp.chosen_test, "Student's t");
  EXPECT_DOUBLE_EQ(cmp.chosen_p, cmp.student_t.p_value);
  EXPECT_NE(cmp.reading.find("statistically significant"), std::string::npos) << cmp.reading;
  // A skewed sample: normality rejected -> Mann-Whitney.
  const SampleComparison skew = compare_samples(head(e, 100), {e.begin() + 100, e.end()});
  EXPECT_FALSE(skew.normal);
  EXPECT_EQ(skew.chosen_test, "Mann-Whitney U");
  EXPECT_NE(skew.reading.find("no statistically significant"), std::string::npos) << skew.reading;
  // Two seeds: Shapiro not run, so not shown normal.
  const SampleComparison two = compare_samples({0.1, 0.2}, {0.3, 0.4});
  EXPECT_TRUE(std::isnan(two.shapiro_a.p_value));
  EXPECT_EQ(two.chosen_test, "Mann-Whitney U");
}

}  // namespace
}  // namespace ctcscope
