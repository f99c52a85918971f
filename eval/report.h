// Tables and reports a person reads: the paper's "mean ± std" table of
// configurations over metrics (Markdown, CSV), a one-run metrics summary, the
// two-sample comparison as text, and a self-contained HTML report (tables and
// PNG plots inlined as base64 data URIs, all text escaped).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "eval/metrics.h"
#include "eval/statistics.h"

namespace ctcscope {

// One configuration (architecture x ablation) and its runs, one per seed.
struct ConfigScores {
  std::string name;
  std::vector<Metrics> runs;
};

// The columns of the paper's tables, in order: Accuracy, Precision, Recall, F1
// (macro), Sensitivity, Specificity (CTC recall, leukocyte recall).
struct MetricColumn {
  const char* name;  // "Accuracy"
  const char* key;   // "accuracy", used in CSV headers
  double (*get)(const Metrics&);
};
const std::vector<MetricColumn>& metric_columns();

// "0.912 ± 0.013" (std NaN for one run prints "0.912 ± nan"); `digits` after the point.
std::string format_mean_std(const MeanStd& m, int digits = 3);

// | Configuration | Runs | Accuracy | Precision | Recall | F1 | Sensitivity | Specificity |
// with mean ± sample std over runs. Names are escaped for Markdown ('|').
std::string markdown_table(const std::vector<ConfigScores>& configs, int digits = 3);

// configuration,runs,accuracy_mean,accuracy_std,...,specificity_std (full
// precision, %.17g; names quoted as RFC 4180 where needed; "nan" for NaN).
std::string csv_table(const std::vector<ConfigScores>& configs);

// A run's metrics as lines of text: n, accuracy, macro precision/recall/F1,
// sensitivity, specificity, a per-class table and the confusion matrix.
// class_names default to {"leukocyte", "CTC"} for 2 classes, else "class k".
std::string metrics_summary(const Metrics& m, const std::vector<std::string>& class_names = {});

// The statistics of compare_samples as an aligned text table with the reading.
std::string comparison_text(const SampleComparison& c, const std::string& name_a = "A",
                            const std::string& name_b = "B");

// &, <, >, " and ' as entities.
std::string html_escape(const std::string& text);
// RFC 4648 base64 with padding.
std::string base64_encode(const std::vector<std::uint8_t>& bytes);

// Builds one HTML file with no outside references: sections, paragraphs,
// tables and rows of PNG images shown side by side.
class HtmlReport {
 public:
  explicit HtmlReport(std::string title);
  void heading(const std::string& text);    // <h2>
  void paragraph(const std::string& text);  // <p>, escaped
  void preformatted(const std::string& text);  // <pre>, escaped (for metrics_summary, comparison_text)
  void table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows);
  void metrics_table(const std::vector<ConfigScores>& configs, int digits = 3);  // the markdown_table's content
  struct Image {
    std::string caption;
    std::vector<std::uint8_t> png;  // encoded PNG bytes (plot.h: encode_png)
  };
  void images(const std::vector<Image>& row);  // one row, side by side, wrapping on narrow screens
  std::string html() const;  // the whole document

 private:
  std::string title_;
  std::string body_;
};

}  // namespace ctcscope
