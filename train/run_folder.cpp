// metrics.csv, run.json and the small file helpers of a run folder.
#include "train/run_folder.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "data/csv.h"
#include "data/file_util.h"
#include "tensor/error.h"
#include "tensor/json.h"
#include "train/enum_names.h"

namespace ctcscope {

namespace {

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

double parse_double(const std::string& s, const std::string& path, int line) {
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(detail::concat(path, ":", line, ": '", s, "' is not a number"));
}

}  // namespace

void write_metrics_csv(const std::string& path, const std::vector<EpochRow>& rows) {
  std::string out = std::string(kMetricsHeader) + "\n";
  for (const auto& r : rows) {
    out += csv_line({std::to_string(r.epoch), fmt(r.train_loss), fmt(r.val_loss), fmt(r.val_accuracy),
                     fmt(r.val_macro_precision), fmt(r.val_macro_recall), fmt(r.val_macro_f1), fmt(r.lr),
                     fmt(r.seconds)});
  }
  write_file_atomic(path, out);
}

std::vector<EpochRow> read_metrics_csv(const std::string& path) {
  auto rows = csv_parse(read_file_bytes(path), path);
  CTC_CHECK(!rows.empty(), path, ": empty, expected the header '", kMetricsHeader, "'");
  CTC_CHECK(csv_line(rows[0].fields) == std::string(kMetricsHeader) + "\n", path, ":1: expected the header '",
            kMetricsHeader, "'");
  std::vector<EpochRow> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i].fields;
    const int line = rows[i].line;
    CTC_CHECK(f.size() == 9, path, ":", line, ": expected 9 columns, found ", f.size());
    EpochRow r;
    r.epoch = static_cast<std::int64_t>(parse_double(f[0], path, line));
    r.train_loss = parse_double(f[1], path, line);
    r.val_loss = parse_double(f[2], path, line);
    r.val_accuracy = parse_double(f[3], path, line);
    r.val_macro_precision = parse_double(f[4], path, line);
    r.val_macro_recall = parse_double(f[5], path, line);
    r.val_macro_f1 = parse_double(f[6], path, line);
    r.lr = parse_double(f[7], path, line);
    r.seconds = parse_double(f[8], path, line);
    out.push_back(r);
  }
  return out;
}

namespace {
constexpr EnumName<RunStatus> kRunStatusNames[] = {{RunStatus::running, "running"},
                                                   {RunStatus::completed, "completed"},
                                                   {RunStatus::early_stopped, "early_stopped"},
                                                   {RunStatus::interrupted, "interrupted"},
                                                   {RunStatus::diverged, "diverged"}};
}  // namespace

const char* run_status_name(RunStatus status) { return enum_name(kRunStatusNames, status); }
RunStatus run_status_from_name(const std::string& name) { return enum_from_name(kRunStatusNames, name); }

void write_run_record(const std::string& path, const RunRecord& r) {
  std::ostringstream s;
  auto str = [&](const char* key, const std::string& v, bool last = false) {
    s << "  " << json_quote(key) << ": " << json_quote(v) << (last ? "\n" : ",\n");
  };
  auto num = [&](const char* key, const std::string& v) { s << "  " << json_quote(key) << ": " << v << ",\n"; };
  s << "{\n";
  str("status", run_status_name(r.status));
  str("message", r.message);
  str("software_version", r.software_version);
  str("command_line", r.command_line);
  str("start_time", r.start_time);
  str("end_time", r.end_time);
  str("dataset_dir", r.dataset_dir);
  str("manifest_sha256", r.manifest_sha256);
  num("manifest_cells", std::to_string(r.manifest_cells));
  num("run_cells", std::to_string(r.run_cells));
  str("weights_file", r.weights_file);
  str("weights_sha256", r.weights_sha256);
  num("epochs_completed", std::to_string(r.epochs_completed));
  num("best_epoch", std::to_string(r.best_epoch));
  num("best_val_macro_f1", fmt(r.best_val_macro_f1));
  num("train_seconds", fmt(r.train_seconds));
  num("threads", std::to_string(r.threads));
  str("arithmetic", r.arithmetic);
  str("best_sha256", r.best_sha256, true);
  s << "}\n";
  write_file_atomic(path, s.str());
}

std::string utc_now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::exists(path, ec);
}

void make_dirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  CTC_CHECK(!ec, path, ": cannot create the folder: ", ec.message());
}

}  // namespace ctcscope
