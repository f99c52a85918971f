// CSV as RFC 4180: comma-separated fields, double-quoted fields may hold
// commas, quotes (doubled) and line breaks; CRLF or LF line ends; a UTF-8 BOM
// is skipped. Used by the manifest and the split files.
#pragma once

#include <string>
#include <vector>

namespace ctcscope {

struct CsvRow {
  int line = 0;  // 1-based line where the row starts
  std::vector<std::string> fields;
};

// Parses `text`; empty lines are skipped. A quote that is never closed, or a
// character after a closing quote, is an error "<name>:<line>: ...".
std::vector<CsvRow> csv_parse(const std::string& text, const std::string& name);

// One field, quoted when it holds a comma, a quote, a line break or an outer space.
std::string csv_field(const std::string& value);

// Fields joined by commas, quoted as needed, ending with "\n".
std::string csv_line(const std::vector<std::string>& fields);

}  // namespace ctcscope
