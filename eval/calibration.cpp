// Reliability bins, ECE and temperature scaling.
#include "eval/calibration.h"

#include <cmath>
#include <limits>

#include "base/error.h"

namespace ctcscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Edge k as numpy.linspace(0, 1, bins + 1) computes it, so a probability on
// an edge falls in the same bin as scikit-learn's calibration_curve puts it.
double edge(int k, int bins) { return k * (1.0 / bins); }

int bin_of(double p, int bins) {
  int b = 0;
  while (b + 1 < bins && edge(b + 1, bins) <= p) ++b;  // searchsorted(interior edges, p, side="right")
  return b;
}

// log(1 + exp(x)) without overflow.
double softplus(double x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); }

}  // namespace

std::vector<ReliabilityBin> reliability_bins(const std::vector<std::int64_t>& truth,
                                             const std::vector<double>& probability, int bins) {
  CTC_CHECK(bins >= 1, "reliability_bins: ", bins, " bins");
  CTC_CHECK(truth.size() == probability.size(), "reliability_bins: ", truth.size(), " labels but ",
            probability.size(), " probabilities");
  std::vector<ReliabilityBin> out(static_cast<std::size_t>(bins));
  std::vector<double> sum_p(out.size(), 0.0), positives(out.size(), 0.0);
  for (std::size_t i = 0; i < truth.size(); ++i) {
    CTC_CHECK(truth[i] == 0 || truth[i] == 1, "reliability_bins: label ", truth[i], " at index ", i,
              " is not 0 or 1");
    CTC_CHECK(probability[i] >= 0 && probability[i] <= 1, "reliability_bins: probability ", probability[i],
              " at index ", i, " is not in [0, 1]");
    const auto b = static_cast<std::size_t>(bin_of(probability[i], bins));
    ++out[b].count;
    sum_p[b] += probability[i];
    positives[b] += static_cast<double>(truth[i]);
  }
  for (std::size_t b = 0; b < out.size(); ++b) {
    out[b].lower = edge(static_cast<int>(b), bins);
    out[b].upper = edge(static_cast<int>(b) + 1, bins);
    const auto n = static_cast<double>(out[b].count);
    out[b].mean_probability = out[b].count ? sum_p[b] / n : kNaN;
    out[b].fraction_positive = out[b].count ? positives[b] / n : kNaN;
  }
  return out;
}

double expected_calibration_error(const std::vector<std::int64_t>& truth, const std::vector<double>& probability,
                                  int bins) {
  if (truth.empty()) return kNaN;
  double ece = 0;
  for (const ReliabilityBin& b : reliability_bins(truth, probability, bins)) {
    if (b.count == 0) continue;
    ece += static_cast<double>(b.count) * std::abs(b.fraction_positive - b.mean_probability);
  }
  return ece / static_cast<double>(truth.size());
}

double calibrated_probability(double logit_margin, double temperature) {
  const double x = logit_margin / temperature;
  // The two forms keep exp's argument <= 0.
  return x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
}

std::vector<double> calibrated_probabilities(const std::vector<double>& logit_margin, double temperature) {
  std::vector<double> p(logit_margin.size());
  for (std::size_t i = 0; i < p.size(); ++i) p[i] = calibrated_probability(logit_margin[i], temperature);
  return p;
}

double temperature_nll(const std::vector<std::int64_t>& truth, const std::vector<double>& logit_margin,
                       double temperature) {
  CTC_CHECK(truth.size() == logit_margin.size(), "temperature_nll: ", truth.size(), " labels but ",
            logit_margin.size(), " margins");
  CTC_CHECK(temperature > 0, "temperature_nll: temperature ", temperature, " is not positive");
  if (truth.empty()) return kNaN;
  double sum = 0;
  // -log sigmoid(x) = softplus(-x), -log(1 - sigmoid(x)) = softplus(x).
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const double x = logit_margin[i] / temperature;
    sum += truth[i] == 1 ? softplus(-x) : softplus(x);
  }
  return sum / static_cast<double>(truth.size());
}

double fit_temperature(const std::vector<std::int64_t>& truth, const std::vector<double>& logit_margin) {
  CTC_CHECK(truth.size() == logit_margin.size(), "fit_temperature: ", truth.size(), " labels but ",
            logit_margin.size(), " margins");
  if (truth.empty()) return 1.0;
  // d NLL / d(1/T) = mean((sigmoid(m / T) - y) m): increasing in 1/T, as
  // the NLL is convex in 1/T; positive means T is too small.
  auto too_small = [&](double log_t) {
    const double t = std::exp(log_t);
    double g = 0;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      g += (calibrated_probability(logit_margin[i], t) - static_cast<double>(truth[i])) * logit_margin[i];
    }
    return g > 0;
  };
  double a = std::log(kMinTemperature), b = std::log(kMaxTemperature);
  for (int i = 0; i < 200 && b - a > 1e-12; ++i) {
    const double mid = (a + b) / 2;
    (too_small(mid) ? a : b) = mid;
  }
  return std::exp((a + b) / 2);
}

}  // namespace ctcscope
