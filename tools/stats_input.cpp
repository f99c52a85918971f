// Reading the samples of `ctcscope stats`.
#include "tools/stats_input.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "base/csv.h"
#include "base/error.h"
#include "base/split_list.h"

namespace ctcscope::cli {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// A finite number filling the whole field.
bool to_number(const std::string& field, double& out) {
  const std::string t = trim(field);
  if (t.empty()) return false;
  char* end = nullptr;
  errno = 0;
  out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && errno == 0 && std::isfinite(out);
}

}  // namespace

std::vector<double> read_number_column(const std::string& path, int column) {
  CTC_CHECK_INPUT(column >= 1, "column must be 1 or more, got ", column);
  std::ifstream in(path, std::ios::binary);
  CTC_CHECK_INPUT(in.good(), path, ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  std::vector<double> values;
  bool first = true;
  for (const CsvRow& row : csv_parse(ss.str(), path)) {
    if (row.fields.empty() || trim(row.fields[0]).rfind('#', 0) == 0) continue;
    if (row.fields.size() == 1 && trim(row.fields[0]).empty()) continue;
    const bool header_allowed = first;
    first = false;
    CTC_CHECK_INPUT(static_cast<int>(row.fields.size()) >= column, path, ":", row.line, ": column ", column,
                    " asked for, the line has ", row.fields.size());
    const std::string& field = row.fields[static_cast<std::size_t>(column - 1)];
    double v;
    if (to_number(field, v)) {
      values.push_back(v);
    } else if (!header_allowed) {
      CTC_FAIL(path, ":", row.line, ": '", trim(field), "' in column ", column, " is not a finite number");
    }
  }
  CTC_CHECK_INPUT(!values.empty(), path, ": no numbers found in column ", column);
  return values;
}

std::vector<double> parse_number_list(const std::string& text, const std::string& what) {
  std::vector<double> values;
  for (const std::string& field : split_list(text)) {
    double v;
    CTC_CHECK_INPUT(to_number(field, v), what, ": item ", values.size() + 1, " '", trim(field), "' is not a finite number");
    values.push_back(v);
  }
  return values;
}

}  // namespace ctcscope::cli
