// Operating points over the ROC, and the precision-recall curve.
#include "eval/operating_point.h"

#include <cmath>
#include <limits>

#include "base/error.h"
#include "eval/metrics.h"

namespace ctcscope {

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

double threshold_for_sensitivity(const std::vector<std::int64_t>& truth, const std::vector<double>& scores,
                                 double target) {
  CTC_CHECK(target > 0 && target <= 1, "threshold_for_sensitivity: target ", target, " is not in (0, 1]");
  const std::vector<RocPoint> roc = roc_curve(truth, scores);
  // From the highest threshold down the TPR only grows: the first point that
  // reaches the target is the highest threshold that does. The last point
  // (every cell called) has TPR 1, so one is always found when TPR is defined.
  for (std::size_t i = 1; i < roc.size(); ++i) {
    if (std::isnan(roc[i].true_positive_rate)) return kNaN;
    if (roc[i].true_positive_rate >= target) return roc[i].threshold;
  }
  return kNaN;
}

double youden_threshold(const std::vector<std::int64_t>& truth, const std::vector<double>& scores) {
  const std::vector<RocPoint> roc = roc_curve(truth, scores);
  double best = kNaN, best_j = -std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < roc.size(); ++i) {  // point 0 is the +inf threshold: no cell called
    const double j = roc[i].true_positive_rate - roc[i].false_positive_rate;
    if (std::isnan(j)) return kNaN;
    if (j > best_j) {  // strictly: an equal J further down calls more cells for nothing
      best_j = j;
      best = roc[i].threshold;
    }
  }
  return best;
}

std::vector<PrPoint> precision_recall_curve(const std::vector<std::int64_t>& truth,
                                            const std::vector<double>& scores) {
  const std::vector<RocPoint> roc = roc_curve(truth, scores);
  double positives = 0;
  for (auto t : truth) positives += t == 1 ? 1 : 0;
  const double negatives = static_cast<double>(truth.size()) - positives;
  std::vector<PrPoint> curve;
  curve.push_back({std::numeric_limits<double>::infinity(), 1.0, positives > 0 ? 0.0 : kNaN});
  for (std::size_t i = 1; i < roc.size(); ++i) {
    // Back from rates to counts; exact, as the rates are count / total.
    const double tp = positives > 0 ? std::round(roc[i].true_positive_rate * positives) : 0;
    const double fp = negatives > 0 ? std::round(roc[i].false_positive_rate * negatives) : 0;
    curve.push_back({roc[i].threshold, tp / (tp + fp), positives > 0 ? tp / positives : kNaN});
  }
  return curve;
}

}  // namespace ctcscope
