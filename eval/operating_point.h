// Operating points: which threshold on the CTC score a lab should call at.
// The paper calls at 0.5; a lab screening a blood sample asks instead "what
// threshold finds 95% of the CTCs, and how many leukocytes will an expert
// still have to look at?". Both choices here run over the ROC's thresholds
// (eval/metrics.h: one per distinct score), so tied scores are always called
// together: a threshold t calls every cell with score >= t.
// Also the precision-recall curve, scikit-learn's definition.
#pragma once

#include <cstdint>
#include <vector>

namespace ctcscope {

// The highest threshold whose CTC sensitivity (TPR) is at least `target`:
// the fewest cells called for that sensitivity. Ties: a block of tied scores
// is called as one, so the sensitivity reached may exceed the target (it
// jumps over it). target in (0, 1]. NaN without a positive (no sensitivity
// is defined). Labels 0 or 1, scores not NaN (as roc_curve).
double threshold_for_sensitivity(const std::vector<std::int64_t>& truth, const std::vector<double>& scores,
                                 double target);

// The threshold maximising Youden's J = sensitivity + specificity - 1 =
// TPR - FPR over the ROC's finite thresholds; among equal J the highest
// threshold (the fewest calls). NaN with one class only.
double youden_threshold(const std::vector<std::int64_t>& truth, const std::vector<double>& scores);

struct PrPoint {
  double threshold, precision, recall;
};

// scikit-learn's precision_recall_curve in the other order: first the point
// it appends (threshold +inf, precision 1, recall 0), then one point per
// distinct score from the highest down, precision = TP / (TP + FP), recall =
// TP / P; every score is kept (no cut once recall reaches 1). No positives:
// recall NaN.
std::vector<PrPoint> precision_recall_curve(const std::vector<std::int64_t>& truth,
                                            const std::vector<double>& scores);

}  // namespace ctcscope
