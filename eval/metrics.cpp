// Metrics of the paper from labels and scores. See metrics.h for the contract;
// the conventions chosen where the header leaves room are written beside the
// code and repeated in the header.
#include "eval/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "base/error.h"

namespace ctcscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// a / b, or 0 when b is 0 (scikit-learn's zero_division=0).
double ratio_or_zero(double a, double b) { return b > 0 ? a / b : 0.0; }

}  // namespace

Metrics compute_metrics(const std::vector<std::int64_t>& truth, const std::vector<std::int64_t>& predicted,
                        std::int64_t num_classes) {
  CTC_CHECK(num_classes >= 2, "compute_metrics: num_classes must be at least 2, got ", num_classes);
  CTC_CHECK(truth.size() == predicted.size(), "compute_metrics: ", truth.size(), " true labels but ",
            predicted.size(), " predictions");
  CTC_CHECK(!truth.empty(), "compute_metrics: no samples");
  const auto k = static_cast<std::size_t>(num_classes);
  Metrics m;
  m.n = static_cast<std::int64_t>(truth.size());
  m.confusion.assign(k, std::vector<std::int64_t>(k, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    CTC_CHECK(truth[i] >= 0 && truth[i] < num_classes, "compute_metrics: true label ", truth[i], " at index ", i,
              " is outside [0, ", num_classes, ")");
    CTC_CHECK(predicted[i] >= 0 && predicted[i] < num_classes, "compute_metrics: predicted label ", predicted[i],
              " at index ", i, " is outside [0, ", num_classes, ")");
    ++m.confusion[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
  }
  std::int64_t correct = 0;
  m.per_class.resize(k);
  for (std::size_t c = 0; c < k; ++c) {
    std::int64_t row = 0, col = 0;  // true members of c, predictions of c
    for (std::size_t j = 0; j < k; ++j) {
      row += m.confusion[c][j];
      col += m.confusion[j][c];
    }
    const auto tp = static_cast<double>(m.confusion[c][c]);
    correct += m.confusion[c][c];
    ClassMetrics& pc = m.per_class[c];
    pc.support = row;
    pc.precision = ratio_or_zero(tp, static_cast<double>(col));
    pc.recall = ratio_or_zero(tp, static_cast<double>(row));
    pc.f1 = ratio_or_zero(2.0 * pc.precision * pc.recall, pc.precision + pc.recall);
    m.macro_precision += pc.precision;
    m.macro_recall += pc.recall;
    m.macro_f1 += pc.f1;
  }
  // Macro averages over all num_classes classes, present or not (scikit-learn
  // with labels=range(num_classes)).
  m.macro_precision /= static_cast<double>(k);
  m.macro_recall /= static_cast<double>(k);
  m.macro_f1 /= static_cast<double>(k);
  m.accuracy = static_cast<double>(correct) / static_cast<double>(m.n);
  m.sensitivity = m.per_class[1].recall;
  m.specificity = m.per_class[0].recall;
  return m;
}

std::vector<RocPoint> roc_curve(const std::vector<std::int64_t>& truth, const std::vector<double>& scores) {
  CTC_CHECK(truth.size() == scores.size(), "roc_curve: ", truth.size(), " labels but ", scores.size(), " scores");
  std::vector<std::size_t> order(truth.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t i = 0; i < truth.size(); ++i) {
    CTC_CHECK(truth[i] == 0 || truth[i] == 1, "roc_curve: label ", truth[i], " at index ", i, " is not 0 or 1");
    CTC_CHECK(!std::isnan(scores[i]), "roc_curve: score at index ", i, " is NaN");
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] > scores[b]; });
  double positives = 0, negatives = 0;
  for (auto t : truth) (t == 1 ? positives : negatives) += 1;

  // One point per distinct score, from the highest; the first point (0, 0)
  // has threshold +inf as scikit-learn >= 1.3. With no positives (negatives)
  // the TPR (FPR) is NaN, as scikit-learn's (which also warns).
  std::vector<RocPoint> curve;
  curve.push_back({std::numeric_limits<double>::infinity(), 0.0, 0.0});
  double tp = 0, fp = 0;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const std::size_t j = order[i];
    (truth[j] == 1 ? tp : fp) += 1;
    if (i + 1 < order.size() && scores[order[i + 1]] == scores[j]) continue;  // a tie: one point for all
    curve.push_back({scores[j], negatives > 0 ? fp / negatives : kNaN, positives > 0 ? tp / positives : kNaN});
  }
  if (positives == 0 || negatives == 0) {
    curve.front().false_positive_rate = negatives > 0 ? 0.0 : kNaN;
    curve.front().true_positive_rate = positives > 0 ? 0.0 : kNaN;
  }
  return curve;
}

double roc_auc(const std::vector<std::int64_t>& truth, const std::vector<double>& scores) {
  const auto curve = roc_curve(truth, scores);
  // Undefined with one class only (scikit-learn raises): NaN here, so that a
  // training loop can go on; reports say "n/a" (roc_auc_text), JSON null.
  if (std::isnan(curve.back().true_positive_rate) || std::isnan(curve.back().false_positive_rate)) return kNaN;
  double area = 0;
  for (std::size_t i = 1; i < curve.size(); ++i) {
    const double dx = curve[i].false_positive_rate - curve[i - 1].false_positive_rate;
    area += dx * 0.5 * (curve[i].true_positive_rate + curve[i - 1].true_positive_rate);
  }
  return area;
}

std::string roc_auc_text(double auc, int digits) {
  // Only a set with both classes ranks a CTC against a leukocyte.
  if (std::isnan(auc)) return "n/a (the cells are all of one class)";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, auc);
  return buf;
}

MeanStd mean_std(const std::vector<double>& values) {
  MeanStd r;
  r.n = static_cast<std::int64_t>(values.size());
  if (values.empty()) {
    r.mean = r.std = kNaN;
    return r;
  }
  double sum = 0;
  for (double v : values) sum += v;
  r.mean = sum / static_cast<double>(values.size());
  // Sample standard deviation (n - 1), two-pass; NaN for n < 2 as pandas'
  // Series.std(): one seed has no spread to report.
  if (values.size() < 2) {
    r.std = kNaN;
    return r;
  }
  double ss = 0;
  for (double v : values) ss += (v - r.mean) * (v - r.mean);
  r.std = std::sqrt(ss / static_cast<double>(values.size() - 1));
  return r;
}

}  // namespace ctcscope
