// Running a model over cells in eval mode: the CTC probability of each item
// (softmax of the logits, class 1), its mean cross-entropy, and the paper's
// metrics at a threshold.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/cell_image.h"
#include "data/expansion.h"
#include "data/manifest.h"
#include "eval/metrics.h"
#include "layers/module.h"

namespace ctcscope {

struct Predictions {
  std::vector<std::int64_t> truth;       // per item: 1 = ctc, 0 = leukocyte
  std::vector<double> ctc_probability;   // per item
  // z_ctc - z_leukocyte per item: ctc_probability = sigmoid(margin), and
  // temperature scaling (eval/calibration.h) needs the margin, not the probability.
  std::vector<double> ctc_logit_margin;
  double mean_loss = 0;                  // mean cross-entropy over the items
  std::int64_t nonfinite = 0;            // items whose logits were NaN or infinite (probability NaN)
  std::string first_nonfinite;           // the cell id of the first such item
};

struct PredictOptions {
  std::int64_t input_size = 148;
  std::int64_t batch = 32;
  int loader_threads = 2;
  Device device = Device::cpu;  // where the model is: batches go there, logits come back
  CellImageSettings images;     // as the model was trained
};

// The model is put in eval mode. Non-finite logits are counted, not thrown:
// the caller decides (training calls it divergence, eval an error).
Predictions predict_items(Module& model, const Manifest& manifest, const std::vector<TrainingItem>& items,
                          const PredictOptions& options);

// Call 1 (ctc) where ctc_probability >= threshold.
std::vector<std::int64_t> calls_at(const std::vector<double>& ctc_probability, double threshold);

// compute_metrics of the calls at `threshold`.
Metrics metrics_at(const Predictions& predictions, double threshold = 0.5);

// A printable block: accuracy, macro P/R/F1, sensitivity, specificity, AUC
// and the confusion matrix (rows true, columns predicted).
std::string metrics_table(const Metrics& metrics, double auc);

}  // namespace ctcscope
