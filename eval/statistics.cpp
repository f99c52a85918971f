// Statistical tests of the paper's section 4.3, following scipy 1.10's
// definitions line by line where it matters (Shapiro-Wilk's AS R94
// polynomials, Mann-Whitney's method choice and corrections, Levene's
// centers). See statistics.h for the contract.
#include "eval/statistics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <numeric>

#include "base/error.h"

namespace ctcscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

void check_finite(const std::vector<double>& x, const char* what) {
  for (std::size_t i = 0; i < x.size(); ++i) {
    CTC_CHECK(std::isfinite(x[i]), what, ": value ", i + 1, " is not finite (", x[i], ")");
  }
}

double mean_of(const std::vector<double>& x) {
  double s = 0;
  for (double v : x) s += v;
  return s / static_cast<double>(x.size());
}

// Sample variance (n - 1), two-pass.
double variance_of(const std::vector<double>& x) {
  const double m = mean_of(x);
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return ss / static_cast<double>(x.size() - 1);
}

double median_of(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  const std::size_t n = x.size();
  return n % 2 ? x[n / 2] : 0.5 * (x[n / 2 - 1] + x[n / 2]);
}

// c[0] + c[1] x + ... + c[n-1] x^(n-1).
double poly(const double* c, int n, double x) {
  double r = 0;
  for (int i = n - 1; i >= 0; --i) r = r * x + c[i];
  return r;
}

// Continued fraction of the incomplete beta function (Lentz's method), valid
// and fast for x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300, kEps = 1e-16;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1, d = 1 - qab * x / qap;
  if (std::fabs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 100000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::fabs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::fabs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double del = d * c;
    h *= del;
    if (std::fabs(del - 1) < kEps) return h;
  }
  CTC_FAIL("incomplete_beta: continued fraction did not converge for a=", a, " b=", b, " x=", x);
}

// Average ranks (1-based) of `v`, and the tie term sum(t^3 - t) over groups of ties.
std::vector<double> average_ranks(const std::vector<double>& v, double& tie_term) {
  std::vector<std::size_t> order(v.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
  std::vector<double> ranks(v.size());
  tie_term = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j) + 1.0;  // mean of ranks i+1 .. j+1
    for (std::size_t k = i; k <= j; ++k) ranks[order[k]] = rank;
    const auto t = static_cast<double>(j - i + 1);
    tie_term += t * t * t - t;
    i = j + 1;
  }
  return ranks;
}

// P(U >= u) for the Mann-Whitney U of samples of sizes m and n without ties:
// counts of arrangements f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k), all
// positive additions in double (no cancellation), divided by their sum.
double mann_whitney_exact_sf(std::int64_t m, std::int64_t n, double u) {
  if (m > n) std::swap(m, n);  // the distribution is symmetric in (m, n)
  const std::int64_t kmax = m * n;
  // cur[i] holds f(i, j, .) for the current j.
  std::vector<std::vector<double>> cur(static_cast<std::size_t>(m + 1),
                                       std::vector<double>(static_cast<std::size_t>(kmax + 1), 0.0));
  for (auto& row : cur) row[0] = 1;  // j = 0: only k = 0
  for (std::int64_t j = 1; j <= n; ++j) {
    // f(i, j, k) = f(i-1, j, k-j) + f(i, j-1, k): in place, i ascending so that
    // row i-1 already holds column j.
    for (std::int64_t i = 1; i <= m; ++i) {
      auto& row = cur[static_cast<std::size_t>(i)];
      const auto& prev = cur[static_cast<std::size_t>(i - 1)];
      for (std::int64_t k = i * j; k >= j; --k) row[static_cast<std::size_t>(k)] += prev[static_cast<std::size_t>(k - j)];
    }
  }
  const auto& counts = cur[static_cast<std::size_t>(m)];
  double total = 0, tail = 0;
  for (std::int64_t k = 0; k <= kmax; ++k) {
    total += counts[static_cast<std::size_t>(k)];
    if (static_cast<double>(k) >= u) tail += counts[static_cast<std::size_t>(k)];
  }
  return tail / total;
}

}  // namespace

// ---- distribution functions ----

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }
double normal_sf(double z) { return 0.5 * std::erfc(z / std::numbers::sqrt2); }

double normal_quantile(double p) {
  CTC_CHECK(p >= 0 && p <= 1, "normal_quantile: p must be in [0, 1], got ", p);
  if (p == 0) return -kInf;
  if (p == 1) return kInf;
  // Acklam's rational approximation (relative error 1.15e-9), then two Halley
  // steps on erfc, which bring it to double precision.
  static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                             1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                             6.680131188771972e+01,  -1.328068155288572e+01};
  static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                             -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                             3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x;
  if (p < kLow || p > 1 - kLow) {
    const double q = std::sqrt(-2 * std::log(p < kLow ? p : 1 - p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    if (p > 1 - kLow) x = -x;
  } else {
    const double q = p - 0.5, r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
  for (int step = 0; step < 2; ++step) {
    // Work on the smaller tail so that the residual keeps its precision.
    const double e = x < 0 ? normal_cdf(x) - p : -(normal_sf(x) - (1 - p));
    const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
    x = x - u / (1 + x * u / 2);
  }
  return x;
}

double incomplete_beta(double a, double b, double x) {
  CTC_CHECK(a > 0 && b > 0, "incomplete_beta: a and b must be positive, got a=", a, " b=", b);
  if (std::isnan(x)) return kNaN;
  CTC_CHECK(x >= 0 && x <= 1, "incomplete_beta: x must be in [0, 1], got ", x);
  if (x == 0) return 0;
  if (x == 1) return 1;
  const double log_front =
      std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
  const double front = std::exp(log_front);
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double student_t_sf(double t, double df) {
  if (std::isnan(t) || std::isnan(df)) return kNaN;
  if (std::isinf(t)) return t > 0 ? 0.0 : 1.0;
  // P(|T| > |t|) = I_{df/(df+t^2)}(df/2, 1/2); half of it is one tail.
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t > 0 ? tail : 1 - tail;
}

double f_sf(double f, double df1, double df2) {
  if (std::isnan(f) || std::isnan(df1) || std::isnan(df2)) return kNaN;
  if (f <= 0) return 1;
  if (std::isinf(f)) return 0;
  return incomplete_beta(df2 / 2, df1 / 2, df2 / (df2 + df1 * f));
}

// ---- tests ----

TestResult shapiro_wilk(const std::vector<double>& x_in) {
  const auto n = static_cast<std::int64_t>(x_in.size());
  CTC_CHECK(n >= 3 && n <= 5000, "shapiro_wilk: needs 3 to 5000 values, got ", n);
  check_finite(x_in, "shapiro_wilk");
  TestResult r;
  r.method = "Shapiro-Wilk (Royston AS R94)";
  std::vector<double> x = x_in;
  std::sort(x.begin(), x.end());
  const double med = median_of(x);
  for (double& v : x) v -= med;  // as scipy; W does not depend on it

  // Coefficients a[1..n/2] (1-based as in AS R94).
  static const double c1[] = {0., .221157, -.147981, -2.07119, 4.434685, -2.706056};
  static const double c2[] = {0., .042981, -.293762, -1.752461, 5.682633, -3.582633};
  static const double c3[] = {.544, -.39978, .025054, -6.714e-4};
  static const double c4[] = {1.3822, -.77857, .062767, -.0020322};
  static const double c5[] = {-1.5861, -.31082, -.083751, .0038915};
  static const double c6[] = {-.4803, -.082676, .0030302};
  static const double g[] = {-2.273, .459};
  const std::int64_t nn2 = n / 2;
  const auto an = static_cast<double>(n);
  std::vector<double> a(static_cast<std::size_t>(nn2 + 1), 0.0);
  if (n == 3) {
    a[1] = std::numbers::sqrt2 / 2;
  } else {
    const double an25 = an + .25;
    std::vector<double> m(static_cast<std::size_t>(nn2 + 1), 0.0);
    double summ2 = 0;
    for (std::int64_t i = 1; i <= nn2; ++i) {
      m[static_cast<std::size_t>(i)] = normal_quantile((static_cast<double>(i) - .375) / an25);
      summ2 += m[static_cast<std::size_t>(i)] * m[static_cast<std::size_t>(i)];
    }
    summ2 *= 2;
    const double ssumm2 = std::sqrt(summ2), rsn = 1 / std::sqrt(an);
    const double a1 = poly(c1, 6, rsn) - m[1] / ssumm2;
    std::int64_t i1;
    double fac;
    if (n > 5) {
      i1 = 3;
      const double a2 = -m[2] / ssumm2 + poly(c2, 6, rsn);
      fac = std::sqrt((summ2 - 2 * m[1] * m[1] - 2 * m[2] * m[2]) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
      a[2] = a2;
    } else {
      i1 = 2;
      fac = std::sqrt((summ2 - 2 * m[1] * m[1]) / (1 - 2 * a1 * a1));
    }
    a[1] = a1;
    for (std::int64_t i = i1; i <= nn2; ++i) a[static_cast<std::size_t>(i)] = -m[static_cast<std::size_t>(i)] / fac;
  }

  const double range = x.back() - x.front();
  if (range < 1e-19) {  // AS R94's ifault 6: scipy returns W = 1, p = 1 with a warning
    r.statistic = 1;
    r.p_value = 1;
    r.method += ", range zero: W = 1, p = 1 as scipy";
    return r;
  }
  // W as the squared correlation of the sorted data with the antisymmetric
  // coefficients (AS R94's formula, which does not depend on their scale).
  std::vector<double> coef(static_cast<std::size_t>(n), 0.0);
  for (std::int64_t i = 0; i < nn2; ++i) {
    coef[static_cast<std::size_t>(i)] = -a[static_cast<std::size_t>(i + 1)];
    coef[static_cast<std::size_t>(n - 1 - i)] = a[static_cast<std::size_t>(i + 1)];
  }
  double sa = 0, sx = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    sa += coef[static_cast<std::size_t>(i)];
    sx += x[static_cast<std::size_t>(i)] / range;
  }
  sa /= an;
  sx /= an;
  double ssa = 0, ssx = 0, sax = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double asa = coef[static_cast<std::size_t>(i)] - sa, xsx = x[static_cast<std::size_t>(i)] / range - sx;
    ssa += asa * asa;
    ssx += xsx * xsx;
    sax += asa * xsx;
  }
  const double ssassx = std::sqrt(ssa * ssx);
  const double w = 1 - (ssassx - sax) * (ssassx + sax) / (ssa * ssx);
  r.statistic = w;

  if (n == 3) {  // exact for n = 3
    r.p_value = std::max(0.0, 6 / std::numbers::pi * (std::asin(std::sqrt(w)) - std::numbers::pi / 3));
    return r;
  }
  double y = std::log(1 - w), mu, sigma;
  if (n <= 11) {
    const double gamma = poly(g, 2, an);
    if (y >= gamma) {
      r.p_value = 1e-19;  // AS R94's "small"
      return r;
    }
    y = -std::log(gamma - y);
    mu = poly(c3, 4, an);
    sigma = std::exp(poly(c4, 4, an));
  } else {
    const double xx = std::log(an);
    mu = poly(c5, 4, xx);
    sigma = std::exp(poly(c6, 3, xx));
  }
  r.p_value = normal_sf((y - mu) / sigma);
  return r;
}

TestResult levene(const std::vector<std::vector<double>>& groups, LeveneCenter center) {
  const auto k = static_cast<double>(groups.size());
  CTC_CHECK(groups.size() >= 2, "levene: needs at least 2 groups, got ", groups.size());
  double n_total = 0;
  std::vector<std::vector<double>> z(groups.size());
  std::vector<double> zbar(groups.size());
  double zbar_all = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    CTC_CHECK(groups[i].size() >= 2, "levene: group ", i + 1, " has ", groups[i].size(), " values, needs 2");
    check_finite(groups[i], "levene");
    const double c = center == LeveneCenter::median ? median_of(groups[i]) : mean_of(groups[i]);
    for (double v : groups[i]) z[i].push_back(std::fabs(v - c));
    zbar[i] = mean_of(z[i]);
    n_total += static_cast<double>(groups[i].size());
    zbar_all += zbar[i] * static_cast<double>(groups[i].size());
  }
  zbar_all /= n_total;
  double between = 0, within = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    between += static_cast<double>(groups[i].size()) * (zbar[i] - zbar_all) * (zbar[i] - zbar_all);
    for (double v : z[i]) within += (v - zbar[i]) * (v - zbar[i]);
  }
  TestResult r;
  r.method = center == LeveneCenter::median ? "Levene (center=median, Brown-Forsythe)" : "Levene (center=mean)";
  r.df1 = k - 1;
  r.df2 = n_total - k;
  r.statistic = (n_total - k) * between / ((k - 1) * within);
  r.p_value = f_sf(r.statistic, r.df1, r.df2);
  return r;
}

TestResult mann_whitney_u(const std::vector<double>& x, const std::vector<double>& y, MannWhitneyMethod method) {
  CTC_CHECK(!x.empty() && !y.empty(), "mann_whitney_u: both samples need values (got ", x.size(), " and ",
            y.size(), ")");
  check_finite(x, "mann_whitney_u (x)");
  check_finite(y, "mann_whitney_u (y)");
  const auto n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  std::vector<double> xy = x;
  xy.insert(xy.end(), y.begin(), y.end());
  double tie_term = 0;
  const auto ranks = average_ranks(xy, tie_term);
  double r1 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) r1 += ranks[i];
  const double u1 = r1 - n1 * (n1 + 1) / 2, u2 = n1 * n2 - u1;
  const double u = std::max(u1, u2);

  if (method == MannWhitneyMethod::automatic) {  // scipy's _mwu_choose_method
    method = (x.size() > 8 && y.size() > 8) || tie_term > 0 ? MannWhitneyMethod::asymptotic : MannWhitneyMethod::exact;
  }
  TestResult r;
  r.statistic = u1;
  double p;
  if (method == MannWhitneyMethod::exact) {
    r.method = "Mann-Whitney U, exact, two-sided";
    p = 2 * mann_whitney_exact_sf(static_cast<std::int64_t>(x.size()), static_cast<std::int64_t>(y.size()), u);
  } else {
    r.method = "Mann-Whitney U, normal approximation (tie and continuity corrected), two-sided";
    const double n = n1 + n2, mu = n1 * n2 / 2;
    const double s = std::sqrt(n1 * n2 / 12 * ((n + 1) - tie_term / (n * (n - 1))));
    const double z = (u - mu - 0.5) / s;
    p = 2 * normal_sf(z);
  }
  r.p_value = std::clamp(p, 0.0, 1.0);
  return r;
}

TestResult student_t_test(const std::vector<double>& x, const std::vector<double>& y) {
  CTC_CHECK(x.size() >= 2 && y.size() >= 2, "student_t_test: each sample needs 2 values (got ", x.size(), " and ",
            y.size(), ")");
  check_finite(x, "student_t_test (x)");
  check_finite(y, "student_t_test (y)");
  const auto n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  const double df = n1 + n2 - 2;
  const double pooled = ((n1 - 1) * variance_of(x) + (n2 - 1) * variance_of(y)) / df;
  TestResult r;
  r.method = "Student's t (equal variances), two-sided";
  r.df1 = df;
  r.statistic = (mean_of(x) - mean_of(y)) / std::sqrt(pooled * (1 / n1 + 1 / n2));
  r.p_value = 2 * student_t_sf(std::fabs(r.statistic), df);
  return r;
}

TestResult welch_t_test(const std::vector<double>& x, const std::vector<double>& y) {
  CTC_CHECK(x.size() >= 2 && y.size() >= 2, "welch_t_test: each sample needs 2 values (got ", x.size(), " and ",
            y.size(), ")");
  check_finite(x, "welch_t_test (x)");
  check_finite(y, "welch_t_test (y)");
  const auto n1 = static_cast<double>(x.size()), n2 = static_cast<double>(y.size());
  const double v1 = variance_of(x) / n1, v2 = variance_of(y) / n2;
  TestResult r;
  r.method = "Welch's t (unequal variances), two-sided";
  r.df1 = (v1 + v2) * (v1 + v2) / (v1 * v1 / (n1 - 1) + v2 * v2 / (n2 - 1));
  r.statistic = (mean_of(x) - mean_of(y)) / std::sqrt(v1 + v2);
  r.p_value = 2 * student_t_sf(std::fabs(r.statistic), r.df1);
  return r;
}

SampleComparison compare_samples(const std::vector<double>& a, const std::vector<double>& b, double alpha) {
  CTC_CHECK(a.size() >= 2 && b.size() >= 2, "compare_samples: each sample needs at least 2 values (got ", a.size(),
            " and ", b.size(), ")");
  SampleComparison c;
  c.alpha = alpha;
  c.a = mean_std(a);
  c.b = mean_std(b);
  auto shapiro_or_skip = [](const std::vector<double>& v) {
    if (v.size() >= 3 && v.size() <= 5000) return shapiro_wilk(v);
    TestResult r;
    r.method = v.size() < 3 ? "Shapiro-Wilk not run: n < 3" : "Shapiro-Wilk not run: n > 5000";
    return r;
  };
  c.shapiro_a = shapiro_or_skip(a);
  c.shapiro_b = shapiro_or_skip(b);
  c.levene_median = levene({a, b}, LeveneCenter::median);
  c.levene_mean = levene({a, b}, LeveneCenter::mean);
  c.mann_whitney = mann_whitney_u(a, b);
  c.student_t = student_t_test(a, b);
  c.welch_t = welch_t_test(a, b);
  // NaN p-values (not run, zero variance) count as "not shown normal" and "not shown equal".
  c.normal = c.shapiro_a.p_value > alpha && c.shapiro_b.p_value > alpha;
  c.equal_variances = c.levene_median.p_value > alpha;
  std::string why;
  if (c.normal) {
    const TestResult& t = c.equal_variances ? c.student_t : c.welch_t;
    c.chosen_test = c.equal_variances ? "Student's t" : "Welch's t";
    c.chosen_p = t.p_value;
    why = c.equal_variances ? "both samples look normal (Shapiro-Wilk) with equal variances (Levene)"
                            : "both samples look normal (Shapiro-Wilk) but Levene rejects equal variances";
  } else {
    c.chosen_test = "Mann-Whitney U";
    c.chosen_p = c.mann_whitney.p_value;
    why = "normality is rejected or untested (Shapiro-Wilk)";
  }
  char buf[512];
  std::snprintf(buf, sizeof buf, "%s, so %s: p = %.4g %s alpha = %g: %s.", why.c_str(), c.chosen_test.c_str(),
                c.chosen_p, c.chosen_p < alpha ? "<" : ">=", alpha,
                c.chosen_p < alpha ? "the difference is statistically significant"
                                   : "no statistically significant difference");
  c.reading = buf;
  return c;
}

}  // namespace ctcscope
