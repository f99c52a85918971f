// Text, CSV, Markdown and HTML renderings of metrics and statistics.
#include "eval/report.h"

#include <cmath>
#include <cstdio>
#include <sstream>

#include "base/csv.h"
#include "base/error.h"

namespace ctcscope {

namespace {

std::string fmt(const char* format, double v) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "nan";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

std::string markdown_cell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|') out += '\\';
    if (ch == '\n') {
      out += ' ';
      continue;
    }
    out += ch;
  }
  return out;
}

MeanStd column_stats(const ConfigScores& c, const MetricColumn& col) {
  std::vector<double> v;
  for (const Metrics& m : c.runs) v.push_back(col.get(m));
  return mean_std(v);
}

// `s` padded with spaces to `width` characters on screen (UTF-8 code points).
std::string pad(const std::string& s, std::size_t width) {
  std::size_t shown = 0;
  for (unsigned char ch : s) shown += (ch & 0xC0) != 0x80;
  return shown >= width ? s : s + std::string(width - shown, ' ');
}

// p-values: 4 significant digits, small ones in exponent form.
std::string pval(double p) { return fmt(p < 1e-4 ? "%.3e" : "%.4f", p); }

}  // namespace

const std::vector<MetricColumn>& metric_columns() {
  static const std::vector<MetricColumn> cols{
      {"Accuracy", "accuracy", [](const Metrics& m) { return m.accuracy; }},
      {"Precision", "precision", [](const Metrics& m) { return m.macro_precision; }},
      {"Recall", "recall", [](const Metrics& m) { return m.macro_recall; }},
      {"F1", "f1", [](const Metrics& m) { return m.macro_f1; }},
      {"Sensitivity", "sensitivity", [](const Metrics& m) { return m.sensitivity; }},
      {"Specificity", "specificity", [](const Metrics& m) { return m.specificity; }},
  };
  return cols;
}

std::string format_mean_std(const MeanStd& m, int digits) {
  return fixed(m.mean, digits) + " \u00b1 " + fixed(m.std, digits);
}

std::string markdown_table(const std::vector<ConfigScores>& configs, int digits) {
  std::string out = "| Configuration | Runs |";
  std::string rule = "| --- | ---: |";
  for (const auto& col : metric_columns()) {
    out += std::string(" ") + col.name + " |";
    rule += " ---: |";
  }
  out += "\n" + rule + "\n";
  for (const ConfigScores& c : configs) {
    out += "| " + markdown_cell(c.name) + " | " + std::to_string(c.runs.size()) + " |";
    for (const auto& col : metric_columns()) out += " " + format_mean_std(column_stats(c, col), digits) + " |";
    out += "\n";
  }
  return out;
}

std::string csv_table(const std::vector<ConfigScores>& configs) {
  std::string out = "configuration,runs";
  for (const auto& col : metric_columns()) out += std::string(",") + col.key + "_mean," + col.key + "_std";
  out += "\n";
  for (const ConfigScores& c : configs) {
    out += csv_field(c.name) + "," + std::to_string(c.runs.size());
    for (const auto& col : metric_columns()) {
      const MeanStd s = column_stats(c, col);
      out += "," + fmt("%.17g", s.mean) + "," + fmt("%.17g", s.std);
    }
    out += "\n";
  }
  return out;
}

std::string metrics_summary(const Metrics& m, const std::vector<std::string>& class_names) {
  const std::size_t k = m.per_class.size();
  std::vector<std::string> names = class_names;
  if (names.size() != k) {
    names.clear();
    for (std::size_t c = 0; c < k; ++c) names.push_back(k == 2 ? (c == 0 ? "leukocyte" : "CTC") : "class " + std::to_string(c));
  }
  std::size_t w = 9;
  for (const auto& n : names) w = std::max(w, n.size());
  std::ostringstream o;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "cells %lld   accuracy %.4f   macro precision %.4f   recall %.4f   F1 %.4f\n"
                "sensitivity (CTC recall) %.4f   specificity (leukocyte recall) %.4f\n\n",
                static_cast<long long>(m.n), m.accuracy, m.macro_precision, m.macro_recall, m.macro_f1,
                m.sensitivity, m.specificity);
  o << buf;
  std::snprintf(buf, sizeof buf, "%-*s %9s %9s %9s %9s\n", static_cast<int>(w), "class", "precision", "recall", "F1",
                "support");
  o << buf;
  for (std::size_t c = 0; c < k; ++c) {
    const ClassMetrics& pc = m.per_class[c];
    std::snprintf(buf, sizeof buf, "%-*s %9.4f %9.4f %9.4f %9lld\n", static_cast<int>(w), names[c].c_str(),
                  pc.precision, pc.recall, pc.f1, static_cast<long long>(pc.support));
    o << buf;
  }
  o << "\nconfusion matrix (rows: true, columns: predicted)\n";
  std::snprintf(buf, sizeof buf, "%-*s", static_cast<int>(w), "");
  o << buf;
  for (std::size_t c = 0; c < k; ++c) {
    std::snprintf(buf, sizeof buf, " %*s", static_cast<int>(w), names[c].c_str());
    o << buf;
  }
  o << "\n";
  for (std::size_t r = 0; r < k; ++r) {
    std::snprintf(buf, sizeof buf, "%-*s", static_cast<int>(w), names[r].c_str());
    o << buf;
    for (std::size_t c = 0; c < k; ++c) {
      std::snprintf(buf, sizeof buf, " %*lld", static_cast<int>(w), static_cast<long long>(m.confusion[r][c]));
      o << buf;
    }
    o << "\n";
  }
  return o.str();
}

std::string comparison_text(const SampleComparison& c, const std::string& name_a, const std::string& name_b) {
  std::ostringstream o;
  char buf[512];
  auto row3 = [&](const std::string& label, const std::string& va, const std::string& vb) {
    std::string line = pad(label, 22) + " " + pad(va, 28) + " " + vb;
    o << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
  };
  row3("", name_a, name_b);
  row3("n", std::to_string(c.a.n), std::to_string(c.b.n));
  row3("mean \u00b1 std", format_mean_std(c.a, 4), format_mean_std(c.b, 4));
  auto sw = [&](const TestResult& t) {
    return std::isnan(t.p_value) ? std::string("not run (n < 3)") : "W = " + fmt("%.5f", t.statistic) + ", p = " + pval(t.p_value);
  };
  row3("Shapiro-Wilk", sw(c.shapiro_a), sw(c.shapiro_b));
  o << "\n";
  std::snprintf(buf, sizeof buf, "%-34s %12s %12s %12s\n", "test", "statistic", "df", "p");
  o << buf;
  auto row = [&](const std::string& label, const TestResult& t, const std::string& df) {
    std::snprintf(buf, sizeof buf, "%-34s %12s %12s %12s\n", label.c_str(), fmt("%.5g", t.statistic).c_str(),
                  df.c_str(), pval(t.p_value).c_str());
    o << buf;
  };
  row("Levene, center median (F)", c.levene_median, fmt("%g", c.levene_median.df1) + ", " + fmt("%g", c.levene_median.df2));
  row("Levene, center mean (F)", c.levene_mean, fmt("%g", c.levene_mean.df1) + ", " + fmt("%g", c.levene_mean.df2));
  const bool exact = c.mann_whitney.method.find("exact") != std::string::npos;
  row(exact ? "Mann-Whitney U (exact)" : "Mann-Whitney U (normal approx.)", c.mann_whitney, "-");
  row("Student's t (equal variances)", c.student_t, fmt("%g", c.student_t.df1));
  row("Welch's t", c.welch_t, fmt("%.2f", c.welch_t.df1));
  o << "\nreading (alpha = " << fmt("%g", c.alpha) << "): " << c.reading << "\n";
  return o.str();
}

std::string html_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  }
  return out;
}

std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::uint32_t b0 = bytes[i], b1 = i + 1 < bytes.size() ? bytes[i + 1] : 0,
                        b2 = i + 2 < bytes.size() ? bytes[i + 2] : 0;
    const std::uint32_t v = (b0 << 16) | (b1 << 8) | b2;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

HtmlReport::HtmlReport(std::string title) : title_(std::move(title)) {}

void HtmlReport::heading(const std::string& text) { body_ += "<h2>" + html_escape(text) + "</h2>\n"; }
void HtmlReport::paragraph(const std::string& text) { body_ += "<p>" + html_escape(text) + "</p>\n"; }
void HtmlReport::preformatted(const std::string& text) { body_ += "<pre>" + html_escape(text) + "</pre>\n"; }

void HtmlReport::table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  body_ += "<table>\n<tr>";
  for (const auto& h : header) body_ += "<th>" + html_escape(h) + "</th>";
  body_ += "</tr>\n";
  for (const auto& r : rows) {
    body_ += "<tr>";
    for (const auto& cell : r) body_ += "<td>" + html_escape(cell) + "</td>";
    body_ += "</tr>\n";
  }
  body_ += "</table>\n";
}

void HtmlReport::metrics_table(const std::vector<ConfigScores>& configs, int digits) {
  std::vector<std::string> header{"Configuration", "Runs"};
  for (const auto& col : metric_columns()) header.push_back(col.name);
  std::vector<std::vector<std::string>> rows;
  for (const ConfigScores& c : configs) {
    std::vector<std::string> r{c.name, std::to_string(c.runs.size())};
    for (const auto& col : metric_columns()) r.push_back(format_mean_std(column_stats(c, col), digits));
    rows.push_back(r);
  }
  table(header, rows);
}

void HtmlReport::images(const std::vector<Image>& row) {
  body_ += "<div class=\"row\">\n";
  for (const Image& im : row) {
    body_ += "<figure><img alt=\"" + html_escape(im.caption) + "\" src=\"data:image/png;base64," +
             base64_encode(im.png) + "\"><figcaption>" + html_escape(im.caption) + "</figcaption></figure>\n";
  }
  body_ += "</div>\n";
}

std::string HtmlReport::html() const {
  return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(title_) +
         "</title>\n<style>\n"
         "body{font-family:sans-serif;margin:2em;color:#222}\n"
         "table{border-collapse:collapse;margin:1em 0}\n"
         "th,td{border:1px solid #bbb;padding:4px 10px;text-align:right}\n"
         "th:first-child,td:first-child{text-align:left}\n"
         "th{background:#eee}\n"
         ".row{display:flex;flex-wrap:wrap;gap:16px}\n"
         "figure{margin:0}figcaption{text-align:center;font-size:90%}\n"
         "pre{background:#f6f6f6;padding:8px}\n"
         "</style>\n</head>\n<body>\n<h1>" +
         html_escape(title_) + "</h1>\n" + body_ + "</body>\n</html>\n";
}

}  // namespace ctcscope
