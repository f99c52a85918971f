// The run folder: where each file of a training run lives, the per-epoch
// metrics.csv and the run record run.json. Every file is written atomically
// (a temporary name in the same folder, then a rename).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctcscope {

struct RunPaths {
  std::string dir;
  std::string config() const { return dir + "/config.json"; }
  std::string split() const { return dir + "/split.csv"; }
  std::string metrics() const { return dir + "/metrics.csv"; }
  std::string best() const { return dir + "/best.safetensors"; }
  std::string last() const { return dir + "/last.safetensors"; }
  std::string run_record() const { return dir + "/run.json"; }
};

// One row of metrics.csv.
struct EpochRow {
  std::int64_t epoch = 0;
  double train_loss = 0, val_loss = 0, val_accuracy = 0;
  double val_macro_precision = 0, val_macro_recall = 0, val_macro_f1 = 0;
  double lr = 0, seconds = 0;
};

inline constexpr const char* kMetricsHeader =
    "epoch,train_loss,val_loss,val_accuracy,val_macro_precision,val_macro_recall,val_macro_f1,lr,seconds";

void write_metrics_csv(const std::string& path, const std::vector<EpochRow>& rows);
// Errors name the file and line.
std::vector<EpochRow> read_metrics_csv(const std::string& path);

// Where a run stands, as run.json says. completed and early_stopped are
// finished; interrupted continues with --resume; diverged stopped on a
// non-finite loss or output.
enum class RunStatus { running, completed, early_stopped, interrupted, diverged };
const char* run_status_name(RunStatus status);          // "running", "early_stopped", ...
RunStatus run_status_from_name(const std::string& name);  // throws Error listing the names
inline bool run_finished(RunStatus s) { return s == RunStatus::completed || s == RunStatus::early_stopped; }

// run.json: what makes a run traceable.
struct RunRecord {
  RunStatus status = RunStatus::running;
  std::string message;
  std::string software_version;
  std::string command_line;
  std::string start_time, end_time;  // UTC, ISO 8601
  std::string dataset_dir, manifest_sha256;
  std::int64_t manifest_cells = 0, run_cells = 0;  // before and after --max-cells
  std::string weights_file, weights_sha256;          // empty when trained from scratch
  std::string best_sha256;                           // of best.safetensors, the file's bytes
  std::int64_t epochs_completed = 0, best_epoch = 0;
  double best_val_macro_f1 = 0;
  double train_seconds = 0;
  int threads = 0;
  // The device and, on the GPU, its arithmetic: "cpu", "cuda tf32", "cuda tf32 deterministic".
  std::string arithmetic;
};

void write_run_record(const std::string& path, const RunRecord& record);

// "2025-01-31T12:00:00Z"
std::string utc_now_iso();

bool file_exists(const std::string& path);
// mkdir -p; an error names the folder.
void make_dirs(const std::string& path);

}  // namespace ctcscope
