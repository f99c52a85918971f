// Eval-mode prediction over items and the metrics table.
#include "train/evaluate.h"

#include <cmath>
#include <cstdio>

#include "data/loader.h"
#include "base/error.h"

namespace ctcscope {

Predictions predict_items(Module& model, const Manifest& manifest, const std::vector<TrainingItem>& items,
                          const PredictOptions& options) {
  model.eval();
  Predictions out;
  out.truth.assign(items.size(), 0);
  out.ctc_probability.assign(items.size(), 0.0);
  out.ctc_logit_margin.assign(items.size(), 0.0);
  if (items.empty()) return out;
  LoaderOptions lo;
  lo.batch_size = options.batch;
  lo.input_size = options.input_size;
  lo.shuffle = false;
  lo.cache = false;
  lo.threads = options.loader_threads;
  lo.images = options.images;
  BatchLoader loader(manifest, items, lo);
  loader.start_epoch(0);
  Batch batch;
  double loss_sum = 0;
  while (loader.next(batch)) {
    const Tensor logits = model.forward(batch.images.to_device(options.device)).to_device(Device::cpu);
    const std::int64_t n = logits.size(0), k = logits.size(1);
    CTC_CHECK(k == 2, "predict: the model has ", k, " outputs, expected 2 (leukocyte, ctc)");
    const float* pl = logits.data<float>();
    const std::int64_t* py = batch.labels.data<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) {
      const double l0 = pl[2 * i], l1 = pl[2 * i + 1];
      const auto item = static_cast<std::size_t>(batch.items[i]);
      out.truth[item] = py[i];
      if (!std::isfinite(l0) || !std::isfinite(l1)) {
        if (out.nonfinite++ == 0) out.first_nonfinite = manifest.cells[static_cast<std::size_t>(items[item].cell)].cell_id;
        out.ctc_probability[item] = std::nan("");
        out.ctc_logit_margin[item] = std::nan("");
        loss_sum = std::nan("");
        continue;
      }
      const double m = std::max(l0, l1);
      const double lse = m + std::log(std::exp(l0 - m) + std::exp(l1 - m));
      out.ctc_probability[item] = std::exp(l1 - lse);
      out.ctc_logit_margin[item] = l1 - l0;
      loss_sum += lse - (py[i] == 1 ? l1 : l0);
    }
  }
  out.mean_loss = loss_sum / static_cast<double>(items.size());
  return out;
}

std::vector<std::int64_t> calls_at(const std::vector<double>& p, double threshold) {
  std::vector<std::int64_t> calls(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) calls[i] = p[i] >= threshold ? 1 : 0;
  return calls;
}

Metrics metrics_at(const Predictions& predictions, double threshold) {
  return compute_metrics(predictions.truth, calls_at(predictions.ctc_probability, threshold), 2);
}

std::string metrics_table(const Metrics& m, double auc) {
  char buf[1024];
  std::string out;
  auto row = [&](const char* name, double v) {
    std::snprintf(buf, sizeof buf, "  %-22s %.4f\n", name, v);
    out += buf;
  };
  std::snprintf(buf, sizeof buf, "  %-22s %lld\n", "cells", static_cast<long long>(m.n));
  out += buf;
  row("accuracy", m.accuracy);
  row("macro precision", m.macro_precision);
  row("macro recall", m.macro_recall);
  row("macro F1", m.macro_f1);
  row("CTC sensitivity", m.sensitivity);
  row("CTC specificity", m.specificity);
  std::snprintf(buf, sizeof buf, "  %-22s %s\n", "ROC AUC", roc_auc_text(auc).c_str());
  out += buf;
  auto c = [&](std::size_t t, std::size_t p) {
    return static_cast<long long>(m.confusion.size() > t && m.confusion[t].size() > p ? m.confusion[t][p] : 0);
  };
  std::snprintf(buf, sizeof buf,
                "  confusion (rows true, columns predicted):\n"
                "  %-12s %10s %10s\n  %-12s %10lld %10lld\n  %-12s %10lld %10lld\n",
                "", "leukocyte", "ctc", "leukocyte", c(0, 0), c(0, 1), "ctc", c(1, 0), c(1, 1));
  out += buf;
  return out;
}

}  // namespace ctcscope
