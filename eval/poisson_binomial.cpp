// The Poisson-binomial distribution by its recurrence, and the interval.
#include "eval/poisson_binomial.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"
#include "eval/statistics.h"

namespace ctcscope {

std::vector<double> poisson_binomial_pmf(const std::vector<double>& p) {
  std::vector<double> pmf(p.size() + 1, 0.0);
  pmf[0] = 1.0;
  // After cell i, pmf[k] = P(k CTCs among cells 0..i); each step is a mix of
  // "not a CTC" (k stays) and "a CTC" (k - 1 becomes k), all terms >= 0, so
  // no cancellation.
  for (std::size_t i = 0; i < p.size(); ++i) {
    CTC_CHECK_INPUT(p[i] >= 0.0 && p[i] <= 1.0, "probability ", p[i], " of cell ", i, " is outside [0, 1]");
    for (std::size_t k = i + 1; k > 0; --k) pmf[k] = pmf[k] * (1.0 - p[i]) + pmf[k - 1] * p[i];
    pmf[0] *= 1.0 - p[i];
  }
  return pmf;
}

ExpectedCount expected_count(const std::vector<double>& p, double level) {
  CTC_CHECK_INPUT(level > 0.0 && level < 1.0, "interval level ", level, " is outside (0, 1)");
  ExpectedCount out;
  double variance = 0;
  for (double pi : p) {
    out.expected += pi;
    variance += pi * (1.0 - pi);
  }
  out.sd = std::sqrt(variance);
  const auto n = static_cast<std::int64_t>(p.size());
  if (p.size() > kMaxExactIntervalCells) {
    out.exact = false;
    const double z = normal_quantile(0.5 + level / 2);
    out.low = std::clamp(static_cast<std::int64_t>(std::floor(out.expected - z * out.sd)), std::int64_t{0}, n);
    out.high = std::clamp(static_cast<std::int64_t>(std::ceil(out.expected + z * out.sd)), std::int64_t{0}, n);
    return out;
  }
  const std::vector<double> pmf = poisson_binomial_pmf(p);
  const double low_tail = (1.0 - level) / 2, high_tail = (1.0 + level) / 2;
  double cdf = 0;
  out.low = -1;
  out.high = n;
  for (std::int64_t k = 0; k <= n; ++k) {
    cdf += pmf[static_cast<std::size_t>(k)];
    if (out.low < 0 && cdf >= low_tail) out.low = k;
    if (cdf >= high_tail) {
      out.high = k;
      break;
    }
  }
  if (out.low < 0) out.low = 0;  // rounding kept the sum below the tail (cannot for a real pmf)
  return out;
}

}  // namespace ctcscope
