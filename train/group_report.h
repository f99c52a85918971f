// The clinical figure: CTCs per patient or sample. Predictions grouped by a
// manifest column (patient, a lab's own "sample", any column), with per group
// the cells seen, the cells called CTC at the operating point, and the
// expected count (the sum of the calibrated probabilities) with its 95%
// interval (eval/poisson_binomial.h), as CSV and a self-contained HTML page.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/manifest.h"
#include "eval/poisson_binomial.h"

namespace ctcscope {

struct GroupCount {
  std::string group;  // the column's value ("" is a group of its own)
  std::int64_t cells = 0, called_ctc = 0;
  ExpectedCount expected;
};

// One entry per distinct value, in the values' sorted order.
std::vector<GroupCount> group_counts(const std::vector<std::string>& group_of_cell,
                                     const std::vector<double>& ctc_probability, double threshold);

// COLUMN,cells,called_ctc,threshold,expected_ctc,ctc_low_95,ctc_high_95,interval
std::string group_counts_csv(const std::string& column, const std::vector<GroupCount>& groups, double threshold);
// `models`: which checkpoint(s) made the probabilities, for the page's text.
std::string group_counts_html(const std::string& column, const std::vector<GroupCount>& groups, double threshold,
                              const std::string& models);

// Groups the manifest's cells (probabilities in manifest order) by `column`
// (a column it lacks is an error naming the column and the manifest) and
// writes STEM_by_COLUMN.csv and .html beside the predictions CSV (its name
// without .csv), atomically. Returns the two paths.
std::vector<std::string> write_group_report(const std::string& predictions_csv, const std::string& column,
                                            const Manifest& manifest, const std::vector<double>& ctc_probability,
                                            double threshold, const std::string& models);

}  // namespace ctcscope
