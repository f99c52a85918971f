// Classification metrics of the paper: accuracy, precision, recall and F1
// per class and macro-averaged (the paper's figures are macro averages), CTC
// sensitivity and specificity, the confusion matrix, the ROC curve and AUC.
// Class 1 is CTC (positive), class 0 leukocyte.
#pragma once

#include <cstdint>
#include <string>
#include <string>
#include <vector>

namespace ctcscope {

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  std::int64_t support = 0;  // true members of the class
};

struct Metrics {
  std::int64_t n = 0;
  double accuracy = 0;
  double macro_precision = 0, macro_recall = 0, macro_f1 = 0;
  double sensitivity = 0;  // CTC recall
  double specificity = 0;  // leukocyte recall
  std::vector<ClassMetrics> per_class;              // index = class
  std::vector<std::vector<std::int64_t>> confusion;  // [true][predicted]
};

// From true labels and predicted labels (both in [0, num_classes)).
// A class never predicted has precision 0 (scikit-learn's zero_division=0),
// a class with no true member recall 0; F1 is 0 when precision + recall is 0.
// Macro averages run over all num_classes classes. Sensitivity is class 1's
// recall, specificity class 0's. Throws on empty input, on sizes that differ
// and on a label outside [0, num_classes), naming the index.
Metrics compute_metrics(const std::vector<std::int64_t>& truth, const std::vector<std::int64_t>& predicted,
                        std::int64_t num_classes = 2);

struct RocPoint {
  double threshold, false_positive_rate, true_positive_rate;
};

// ROC of scores for the positive class (higher = more CTC-like), as
// scikit-learn's roc_curve (drop_intermediate=False); AUC by the trapezoid
// rule, equal to the Mann-Whitney probability with ties counted 1/2.
// Tied scores give one point. The first point is (0, 0) at threshold +inf
// (scikit-learn >= 1.3). Labels must be 0 or 1, scores not NaN. With one class
// only, the missing rate is NaN and roc_auc returns NaN (scikit-learn raises).
std::vector<RocPoint> roc_curve(const std::vector<std::int64_t>& truth, const std::vector<double>& scores);
double roc_auc(const std::vector<std::int64_t>& truth, const std::vector<double>& scores);

// The AUC as tables and reports show it: "0.9123" (`digits` after the point),
// or where it is undefined "n/a (the cells are all of one class)".
std::string roc_auc_text(double auc, int digits = 4);

// Mean and sample standard deviation (n-1), as the paper's "mean ± std" over seeds.
// n = 1 gives std NaN (as pandas' Series.std()); n = 0 gives mean and std NaN.
struct MeanStd {
  double mean = 0, std = 0;
  std::int64_t n = 0;
};
MeanStd mean_std(const std::vector<double>& values);

}  // namespace ctcscope
