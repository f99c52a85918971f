// Small raster plots for reports, with no dependency beyond libpng: a line
// plot (training curves: loss on the left axis, validation F1 on the right),
// a confusion-matrix heat map with counts, and the ROC curve with the
// diagonal and the AUC in the title, the precision-recall curve and the
// reliability diagram. Text uses a built-in 5x7 bitmap font
// (digits, capitals, punctuation; lower case is drawn as capitals).
//
// PNG: encoded by data/'s one PNG writer (encode_png_samples), in memory for
// the HTML report's inlined images, and written through AtomicFile.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/calibration.h"
#include "eval/metrics.h"
#include "eval/operating_point.h"

namespace ctcscope {

struct Rgb {
  std::uint8_t r = 0, g = 0, b = 0;
};

// width x height RGB pixels, row-major, 3 bytes each, (0, 0) at the top left.
struct Raster {
  int width = 0, height = 0;
  std::vector<std::uint8_t> bytes;

  Raster() = default;
  Raster(int w, int h, Rgb fill = {255, 255, 255});
  void set(int x, int y, Rgb c);  // ignored outside
  Rgb at(int x, int y) const;
  void fill_rect(int x0, int y0, int x1, int y1, Rgb c);  // inclusive corners, clipped
  void line(double x0, double y0, double x1, double y1, Rgb c, int thickness = 1);
  // Text with its top-left corner at (x, y); `scale` multiplies the 5x7 cell
  // (6x8 with spacing). vertical = rotated 90 degrees counter-clockwise,
  // reading bottom to top, (x, y) is then its bottom-left corner.
  void text(int x, int y, const std::string& s, Rgb c, int scale = 2, bool vertical = false);
  static int text_width(const std::string& s, int scale = 2) { return static_cast<int>(s.size()) * 6 * scale - scale; }
};

struct Series {
  std::string name;
  std::vector<double> x, y;
  Rgb color{31, 119, 180};
  bool right_axis = false;  // plotted against the right y axis
};

struct LinePlotSpec {
  std::string title, x_label, y_label, y2_label;  // y2_label: right axis, used by right_axis series
  std::vector<Series> series;
  int width = 640, height = 420;
};

Raster line_plot(const LinePlotSpec& spec);

// Training curves: loss (left axis) and validation F1 (right axis) per epoch.
Raster training_curves_plot(const std::vector<double>& loss, const std::vector<double>& val_f1,
                            const std::string& title = "Training");

// Counts in each cell, shaded by the share of the row (true class).
Raster confusion_matrix_plot(const std::vector<std::vector<std::int64_t>>& confusion,
                             const std::vector<std::string>& class_names = {"leukocyte", "CTC"},
                             const std::string& title = "Confusion matrix");

// A point marked on a curve (an operating point): a filled square and a legend entry.
struct MarkedPoint {
  std::string name;
  double x = 0, y = 0;
  Rgb color;
};

// FPR on x, TPR on y, the chance diagonal, "title (AUC = 0.912)", and the
// marks (e.g. the operating points) with their legend at the lower right.
Raster roc_plot(const std::vector<RocPoint>& curve, double auc, const std::string& title = "ROC",
                const std::vector<MarkedPoint>& marks = {});

// Recall on x, precision on y, the share of positives (a classifier that
// calls at random) as a dashed line, and the marks.
Raster precision_recall_plot(const std::vector<PrPoint>& curve, double positive_share,
                             const std::vector<MarkedPoint>& marks = {},
                             const std::string& title = "Precision-recall");

// One reliability diagram: mean predicted probability on x, the fraction of
// positives on y per non-empty bin, the diagonal of perfect calibration;
// one series per binning (e.g. before and after temperature scaling), each
// named in the legend (say the ECE there).
struct ReliabilitySeries {
  std::string name;
  std::vector<ReliabilityBin> bins;
  Rgb color;
};
Raster reliability_plot(const std::vector<ReliabilitySeries>& series, const std::string& title = "Reliability");

// 8-bit RGB PNG in memory (for HTML data URIs) and on disk (AtomicFile: a
// temporary name of its own, fsynced, then renamed).
std::vector<std::uint8_t> encode_png(const Raster& r);
void save_png(const std::string& path, const Raster& r);

}  // namespace ctcscope
