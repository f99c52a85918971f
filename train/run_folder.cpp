// metrics.csv, run.json and the small file helpers of a run folder.
#include "train/run_folder.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <sstream>

#include "base/csv.h"
#include "base/error.h"
#include "base/file_util.h"
#include "base/json.h"
#include "base/json_writer.h"
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
  CTC_CHECK_INPUT(!rows.empty(), path, ": empty, expected the header '", kMetricsHeader, "'");
  CTC_CHECK_INPUT(csv_line(rows[0].fields) == std::string(kMetricsHeader) + "\n", path, ":1: expected the header '",
                  kMetricsHeader, "'");
  std::vector<EpochRow> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& f = rows[i].fields;
    const int line = rows[i].line;
    CTC_CHECK_INPUT(f.size() == 9, path, ":", line, ": expected 9 columns, found ", f.size());
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
  JsonWriter w;
  w.begin_object();
  w.key("status").string(run_status_name(r.status));
  w.key("message").string(r.message);
  w.key("software_version").string(r.software_version);
  w.key("command_line").string(r.command_line);
  w.key("start_time").string(r.start_time);
  w.key("end_time").string(r.end_time);
  w.key("dataset_dir").string(r.dataset_dir);
  w.key("manifest_sha256").string(r.manifest_sha256);
  w.key("manifest_cells").integer(r.manifest_cells);
  w.key("run_cells").integer(r.run_cells);
  w.key("weights_file").string(r.weights_file);
  w.key("weights_sha256").string(r.weights_sha256);
  w.key("epochs_completed").integer(r.epochs_completed);
  w.key("best_epoch").integer(r.best_epoch);
  w.key("best_val_macro_f1").number(r.best_val_macro_f1);
  w.key("train_seconds").number(r.train_seconds);
  w.key("threads").integer(r.threads);
  w.key("arithmetic").string(r.arithmetic);
  w.key("best_sha256").string(r.best_sha256);
  w.end_object();
  write_file_atomic(path, w.str());
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
  CTC_CHECK_INPUT(!ec, path, ": cannot create the folder: ", ec.message());
}

}  // namespace ctcscope
