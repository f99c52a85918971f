// RFC 4180 CSV reading and writing, with line numbers for messages.
#include "base/csv.h"

#include "base/error.h"

namespace ctcscope {

std::vector<CsvRow> csv_parse(const std::string& text, const std::string& name) {
  std::vector<CsvRow> rows;
  std::size_t i = 0;
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = 3;
  int line = 1;
  const std::size_t n = text.size();
  while (i < n) {
    CsvRow row;
    row.line = line;
    std::string field;
    bool row_done = false;
    bool row_has_content = false;
    while (!row_done) {
      if (i < n && text[i] == '"') {  // quoted field
        row_has_content = true;
        const int start_line = line;
        ++i;
        for (;;) {
          if (i >= n) CTC_FAIL(name, ":", start_line, ": quoted field never closed");
          const char c = text[i++];
          if (c == '"') {
            if (i < n && text[i] == '"') {
              field += '"';
              ++i;
            } else {
              break;
            }
          } else {
            if (c == '\n') ++line;
            field += c;
          }
        }
        if (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          CTC_FAIL(name, ":", line, ": unexpected character '", text[i], "' after a closing quote");
        }
      } else {
        while (i < n && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
          if (text[i] == '"') CTC_FAIL(name, ":", line, ": quote inside an unquoted field");
          field += text[i++];
          row_has_content = true;
        }
      }
      row.fields.push_back(std::move(field));
      field.clear();
      if (i < n && text[i] == ',') {
        row_has_content = true;
        ++i;
        continue;
      }
      // End of the row: CRLF, LF, lone CR, or end of text.
      if (i < n && text[i] == '\r') ++i;
      if (i < n && text[i] == '\n') ++i;
      ++line;
      row_done = true;
    }
    if (row_has_content) rows.push_back(std::move(row));
  }
  return rows;
}

std::string csv_field(const std::string& value) {
  const bool needs_quotes = value.find_first_of(",\"\r\n") != std::string::npos ||
                            (!value.empty() && (value.front() == ' ' || value.back() == ' '));
  if (!needs_quotes) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string out;
  for (std::size_t k = 0; k < fields.size(); ++k) {
    if (k) out += ',';
    out += csv_field(fields[k]);
  }
  out += '\n';
  return out;
}

}  // namespace ctcscope
