// The profiler's report as a text table and as CSV (eval/profile_table.h).
#include "eval/profile_table.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <vector>

#include "base/csv.h"
#include "base/file_util.h"

namespace ctcscope {

namespace {

// A row's figures per step and its rates; a rate is NaN where nothing was
// timed or counted (the glue row counts no FLOPs).
struct Figures {
  double forward_ms, backward_ms, gflop, gbytes, gflop_per_s, percent_of_peak, gbytes_per_s;
};

Figures figures(const ProfileRow& row, double steps, const MachinePeak& peak) {
  const double seconds = row.ms() / 1000.0, nan = std::numeric_limits<double>::quiet_NaN();
  Figures f;
  f.forward_ms = row.forward_ms / steps;
  f.backward_ms = row.backward_ms / steps;
  f.gflop = row.flops / 1e9 / steps;
  f.gbytes = row.bytes / 1e9 / steps;
  f.gflop_per_s = seconds > 0 && row.flops > 0 ? row.flops / 1e9 / seconds : nan;
  f.gbytes_per_s = seconds > 0 && row.bytes > 0 ? row.bytes / 1e9 / seconds : nan;
  f.percent_of_peak = peak.gflops > 0 ? 100.0 * f.gflop_per_s / peak.gflops : nan;
  return f;
}

std::string format(const char* spec, double v) {
  if (v != v) return "-";  // NaN: not measured
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), spec, v);
  return buffer;
}

std::vector<ProfileRow> slowest_first(const ProfileResult& result) {
  std::vector<ProfileRow> rows = result.rows;
  std::stable_sort(rows.begin(), rows.end(), [](const ProfileRow& a, const ProfileRow& b) { return a.ms() > b.ms(); });
  return rows;
}

double steps_of(const ProfileResult& result) { return static_cast<double>(std::max<std::int64_t>(result.total.calls, 1)); }

std::string padded(const std::string& text, std::size_t width, bool left) {
  const std::string pad(width > text.size() ? width - text.size() : 0, ' ');
  return left ? text + pad : pad + text;
}

// Per kind, its share of the total time, largest first: "Conv2d 71.2%, BatchNorm2d 12.0%, ...".
std::string time_by_kind(const ProfileResult& result) {
  std::map<std::string, double> ms;
  for (const ProfileRow& row : result.rows) ms[row.kind] += row.ms();
  std::vector<std::pair<std::string, double>> kinds(ms.begin(), ms.end());
  std::stable_sort(kinds.begin(), kinds.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out = "time by kind:";
  const double total = result.total.ms();
  for (const auto& [kind, t] : kinds) out += "  " + kind + " " + format("%.1f%%", total > 0 ? 100.0 * t / total : 0.0);
  return out + "\n";
}

}  // namespace

std::string profile_table(const ProfileResult& result, const MachinePeak& peak, std::size_t max_rows) {
  const double steps = steps_of(result);
  const std::vector<ProfileRow> rows = slowest_first(result);
  const std::size_t shown = std::min(max_rows, rows.size());
  std::size_t name_width = std::max<std::size_t>(5, result.total.name.size() + 6);
  std::size_t kind_width = 4, shape_width = 5;
  for (std::size_t i = 0; i < shown; ++i) {
    name_width = std::max(name_width, rows[i].name.size());
    kind_width = std::max(kind_width, rows[i].kind.size());
    shape_width = std::max(shape_width, rows[i].shape.size());
  }
  std::string out = "profile of " + result.total.name + ": per step, over " + format("%.0f", steps) +
                    " steps; only leaf layers are timed, " + kBetweenLayers +
                    " is the rest of the model's time (adds, concatenations)\n";
  out += "peak: " + peak.how + "\n";
  auto line = [&](const std::string& name, const std::string& kind, const std::string& shape,
                  const std::string& calls, const std::vector<std::string>& numbers) {
    std::string text = padded(name, name_width, true) + "  " + padded(kind, kind_width, true) + "  " +
                       padded(shape, shape_width, true) + "  " + padded(calls, 5, false);
    for (const std::string& n : numbers) text += "  " + padded(n, 9, false);
    out += text + "\n";
  };
  auto numbers = [&](const ProfileRow& row) {
    const Figures f = figures(row, steps, peak);
    return std::vector<std::string>{format("%.3f", f.forward_ms), format("%.3f", f.backward_ms),
                                    format("%.4f", f.gflop),      format("%.4f", f.gbytes),
                                    format("%.1f", f.gflop_per_s), format("%.1f", f.percent_of_peak),
                                    format("%.1f", f.gbytes_per_s)};
  };
  line("layer", "kind", "shape", "calls",
       {"fwd ms", "bwd ms", "GFLOP", "GB", "GFLOP/s", "% peak", "GB/s"});
  for (std::size_t i = 0; i < shown; ++i) {
    line(rows[i].name, rows[i].kind, rows[i].shape, std::to_string(rows[i].calls), numbers(rows[i]));
  }
  if (shown < rows.size()) out += "... " + std::to_string(rows.size() - shown) + " more rows (see the CSV)\n";
  line("total (" + result.total.name + ")", "", "", std::to_string(result.total.calls), numbers(result.total));
  return out + time_by_kind(result);
}

std::string profile_csv(const ProfileResult& result, const MachinePeak& peak) {
  const double steps = steps_of(result);
  std::string out = csv_line({"layer", "kind", "input_shape", "calls", "forward_ms", "backward_ms", "gflop",
                              "gbytes", "gflop_per_s", "percent_of_peak", "gbytes_per_s"});
  auto add = [&](const ProfileRow& row, const std::string& kind) {
    const Figures f = figures(row, steps, peak);
    auto g = [](double v) { return v != v ? std::string() : format("%.9g", v); };
    out += csv_line({row.name, kind, row.shape, std::to_string(row.calls), g(f.forward_ms), g(f.backward_ms),
                     g(f.gflop), g(f.gbytes), g(f.gflop_per_s), g(f.percent_of_peak), g(f.gbytes_per_s)});
  };
  for (const ProfileRow& row : slowest_first(result)) add(row, row.kind);
  add(result.total, "total");
  return out;
}

void write_profile_csv(const std::string& path, const ProfileResult& result, const MachinePeak& peak) {
  write_file_atomic(path, profile_csv(result, peak));
}

}  // namespace ctcscope
