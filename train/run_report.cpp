// The run report: plots and the HTML page.
#include "train/run_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/file_util.h"
#include "eval/calibration.h"
#include "eval/operating_point.h"
#include "eval/plot.h"
#include "eval/report.h"
#include "eval/saliency_overlay.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

double ctc_share(const std::vector<std::int64_t>& truth) {
  double ctc = 0;
  for (auto t : truth) ctc += t == 1 ? 1 : 0;
  return truth.empty() ? std::nan("") : ctc / static_cast<double>(truth.size());
}

// Where each threshold's calls sit on the curves: on the ROC (1 -
// specificity, sensitivity), on the precision-recall curve (sensitivity,
// CTC precision).
std::vector<MarkedPoint> operating_marks(const CheckpointEval& e, bool precision_recall) {
  const Rgb colors[] = {{60, 60, 60}, {44, 160, 44}, {255, 127, 14}};
  std::vector<MarkedPoint> marks;
  for (std::size_t i = 0; i < e.at_operating_points.size(); ++i) {
    const ThresholdMetrics& r = e.at_operating_points[i];
    char name[96];
    std::snprintf(name, sizeof name, "%s: %.3f", r.name.c_str(), r.threshold);
    const double y = precision_recall ? r.metrics.per_class[1].precision : r.metrics.sensitivity;
    const double x = precision_recall ? r.metrics.sensitivity : 1 - r.metrics.specificity;
    marks.push_back({name, x, y, colors[std::min<std::size_t>(i, 2)]});
  }
  return marks;
}

Raster reliability_diagram(const std::vector<std::int64_t>& truth, const std::vector<double>& raw,
                           const std::vector<double>& calibrated, const std::string& title, double temperature) {
  char before[64], after[64];
  std::snprintf(before, sizeof before, "uncalibrated, ECE %.3f", expected_calibration_error(truth, raw));
  std::snprintf(after, sizeof after, "T = %.3g, ECE %.3f", temperature, expected_calibration_error(truth, calibrated));
  return reliability_plot({{before, reliability_bins(truth, raw), {120, 120, 120}},
                           {after, reliability_bins(truth, calibrated), {214, 39, 40}}},
                          title);
}

void add_gallery(HtmlReport& report, const std::vector<GalleryRow>& gallery) {
  if (gallery.empty()) return;
  report.heading("Where the network looked");
  report.paragraph("Each cell as the network was fed it, beside its Grad-CAM map of the CTC log-odds (the last "
                   "convolutional block's activations weighed by their gradient; red: most weight, scaled per cell).");
  for (const GalleryRow& row : gallery) {
    report.paragraph(row.title + (row.cells.empty() ? ": none." : ":"));
    std::vector<HtmlReport::Image> images;
    for (std::size_t i = 0; i < row.cells.size(); ++i) {
      images.push_back({row.captions[i], encode_png(saliency_pair(row.cells[i].fed, row.cells[i].map, 2))});
    }
    if (!images.empty()) report.images(images);
  }
}

}  // namespace

std::vector<std::string> write_run_report(const std::string& out_dir, const CheckpointEval& e,
                                          const std::string& metrics_csv, const std::vector<GalleryRow>& gallery) {
  std::vector<std::string> written;
  std::vector<HtmlReport::Image> images;
  auto add = [&](const std::string& name, const std::string& caption, const Raster& raster) {
    const std::string path = out_dir + "/" + name;
    save_png(path, raster);
    written.push_back(path);
    images.push_back({caption, encode_png(raster)});
  };
  if (!metrics_csv.empty() && file_exists(metrics_csv)) {
    std::vector<double> loss, val_f1;
    for (const EpochRow& row : read_metrics_csv(metrics_csv)) {
      loss.push_back(row.train_loss);
      val_f1.push_back(row.val_macro_f1);
    }
    add("curves.png", "training loss and validation macro F1 per epoch",
        training_curves_plot(loss, val_f1, "Training " + e.architecture));
  }
  add("confusion.png", "confusion matrix (rows: true class)", confusion_matrix_plot(e.metrics.confusion));
  const std::vector<MarkedPoint> roc_marks = operating_marks(e, false), pr_marks = operating_marks(e, true);
  add("roc.png", "ROC curve of the CTC probability, the operating points marked",
      roc_plot(roc_curve(e.predictions.truth, e.predictions.ctc_probability), e.auc, "ROC", roc_marks));
  add("pr.png", "precision-recall curve (dashed: the share of CTCs), the operating points marked",
      precision_recall_plot(precision_recall_curve(e.predictions.truth, e.calibrated_probability),
                            ctc_share(e.predictions.truth), pr_marks));
  if (!e.validation.truth.empty()) {
    add("reliability_val.png", "reliability on the validation cells, where T was fitted",
        reliability_diagram(e.validation.truth, e.validation.ctc_probability,
                            calibrated_probabilities(e.validation.ctc_logit_margin, e.operating.temperature),
                            "Reliability, validation", e.operating.temperature));
  }
  add("reliability.png", "reliability on the evaluated cells, before and after the temperature",
      reliability_diagram(e.predictions.truth, e.predictions.ctc_probability, e.calibrated_probability,
                          "Reliability, evaluated", e.operating.temperature));

  char line[512];
  std::snprintf(line, sizeof line, "%s (%s, trained with %s, input %lldx%lld) on %lld cells, threshold %g.",
                e.checkpoint.c_str(), e.architecture.c_str(), ablation_name(e.ablation),
                static_cast<long long>(e.input_size), static_cast<long long>(e.input_size),
                static_cast<long long>(e.cell_ids.size()), e.threshold);
  HtmlReport report("ctcscope: " + e.architecture + " on " + std::to_string(e.cell_ids.size()) + " cells");
  report.paragraph(line);
  report.images(images);
  report.heading("Metrics");
  report.preformatted(metrics_summary(e.metrics));
  report.paragraph("ROC AUC " + roc_auc_text(e.auc));
  report.heading("Calibration and operating points");
  report.preformatted(operating_points_summary(e.operating, e.ece, e.ece_calibrated, e.at_operating_points));
  add_gallery(report, gallery);
  const std::string html = out_dir + "/report.html";
  write_file_atomic(html, report.html());
  written.push_back(html);
  return written;
}

}  // namespace ctcscope
