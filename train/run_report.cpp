// The run report: plots and the HTML page.
#include "train/run_report.h"

#include <cstdio>

#include "base/file_util.h"
#include "eval/plot.h"
#include "eval/report.h"
#include "eval/saliency_overlay.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

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
  add("roc.png", "ROC curve of the CTC probability",
      roc_plot(roc_curve(e.predictions.truth, e.predictions.ctc_probability), e.auc));

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
  add_gallery(report, gallery);
  const std::string html = out_dir + "/report.html";
  write_file_atomic(html, report.html());
  written.push_back(html);
  return written;
}

}  // namespace ctcscope
