// Samples of numbers for `ctcscope stats`: a file with one number per line,
// or a CSV file and a column; or a comma-separated list on the command line.
#pragma once

#include <string>
#include <vector>

namespace ctcscope::cli {

// Reads column `column` (1-based) of `path`. Lines that are empty or start
// with '#' are skipped; a first row whose field is not a number is taken as a
// header and skipped. Any other field that is not a finite number is an
// error "<path>:<line>: ...". Fields may be quoted (RFC 4180).
std::vector<double> read_number_column(const std::string& path, int column = 1);

// "0.7, 0.8,0.75" -> {0.7, 0.8, 0.75}; `what` names the option in errors.
std::vector<double> parse_number_list(const std::string& text, const std::string& what);

}  // namespace ctcscope::cli
