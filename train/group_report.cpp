// Per-group CTC counts and their two renderings.
#include "train/group_report.h"

#include <cctype>
#include <cstdio>
#include <map>

#include "base/csv.h"
#include "base/error.h"
#include "base/file_util.h"
#include "eval/report.h"

namespace ctcscope {

namespace {

std::string fixed(double v, const char* format = "%.3f") {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

const char* interval_method(const ExpectedCount& c) {
  return c.exact ? "exact Poisson-binomial" : "normal approximation";
}

// A column's name as part of a file name: letters, digits, '-' and '_' kept.
std::string file_name_part(const std::string& column) {
  std::string out = column;
  for (char& ch : out) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_') ch = '_';
  }
  return out;
}

}  // namespace

std::vector<GroupCount> group_counts(const std::vector<std::string>& group_of_cell,
                                     const std::vector<double>& ctc_probability, double threshold) {
  CTC_CHECK(group_of_cell.size() == ctc_probability.size(), "group_counts: ", group_of_cell.size(), " groups for ",
            ctc_probability.size(), " probabilities");
  std::map<std::string, std::vector<double>> by_group;
  for (std::size_t i = 0; i < group_of_cell.size(); ++i) by_group[group_of_cell[i]].push_back(ctc_probability[i]);
  std::vector<GroupCount> out;
  for (const auto& [group, p] : by_group) {
    GroupCount g;
    g.group = group;
    g.cells = static_cast<std::int64_t>(p.size());
    for (double pi : p) g.called_ctc += pi >= threshold;
    g.expected = expected_count(p);
    out.push_back(g);
  }
  return out;
}

std::string group_counts_csv(const std::string& column, const std::vector<GroupCount>& groups, double threshold) {
  std::string csv =
      csv_line({column, "cells", "called_ctc", "threshold", "expected_ctc", "ctc_low_95", "ctc_high_95", "interval"});
  for (const GroupCount& g : groups) {
    csv += csv_line({g.group, std::to_string(g.cells), std::to_string(g.called_ctc), fixed(threshold, "%g"),
                     fixed(g.expected.expected), std::to_string(g.expected.low), std::to_string(g.expected.high),
                     interval_method(g.expected)});
  }
  return csv;
}

std::string group_counts_html(const std::string& column, const std::vector<GroupCount>& groups, double threshold,
                              const std::string& models) {
  HtmlReport report("CTCs by " + column);
  report.paragraph("Cells grouped by the manifest's column '" + column + "', probabilities from " + models + ".");
  std::vector<std::vector<std::string>> rows;
  for (const GroupCount& g : groups) {
    rows.push_back({g.group.empty() ? "(no " + column + ")" : g.group, std::to_string(g.cells), std::to_string(g.called_ctc), fixed(g.expected.expected),
                    std::to_string(g.expected.low) + " to " + std::to_string(g.expected.high),
                    interval_method(g.expected)});
  }
  report.table({column, "cells", "called CTC (p >= " + fixed(threshold, "%g") + ")", "expected CTCs",
                "95% interval", "interval"},
               rows);
  report.paragraph(
      "Called CTC: the cells whose CTC probability reaches the operating point. Expected CTCs: the sum of the "
      "cells' probabilities. If each cell is a CTC independently with its probability, the count is "
      "Poisson-binomial (variance the sum of p(1 - p)); the interval runs from its 2.5% to its 97.5% quantile, "
      "computed exactly up to " + std::to_string(kMaxExactIntervalCells) +
      " cells a group and by the normal approximation beyond. It holds only as far as the probabilities are "
      "calibrated.");
  return report.html();
}

std::vector<std::string> write_group_report(const std::string& predictions_csv, const std::string& column,
                                            const Manifest& manifest, const std::vector<double>& ctc_probability,
                                            double threshold, const std::string& models) {
  const std::vector<GroupCount> groups = group_counts(manifest_column(manifest, column), ctc_probability, threshold);
  std::string stem = predictions_csv;
  if (stem.size() > 4 && stem.substr(stem.size() - 4) == ".csv") stem.resize(stem.size() - 4);
  stem += "_by_" + file_name_part(column);
  write_file_atomic(stem + ".csv", group_counts_csv(column, groups, threshold));
  write_file_atomic(stem + ".html", group_counts_html(column, groups, threshold, models));
  return {stem + ".csv", stem + ".html"};
}

}  // namespace ctcscope
