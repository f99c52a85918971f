// The training loop of the paper: AdamW, cross-entropy (optionally class
// weighted), a learning-rate schedule, validation every epoch, the
// checkpoint with the best validation macro F1 kept (best.safetensors), early
// stopping after `patience` epochs without a better one, and the full state
// saved after every epoch (last.safetensors) so an interrupted run resumes
// and ends with the same weights, bit for bit, as an uninterrupted one.
// A loss that becomes NaN or infinite stops the run and keeps the last good
// checkpoint.
//
// How a run is driven: train_run (trainer.cpp) prepares everything once
// (prepare_run, train/prepared_run.h), then per epoch train_epoch and
// validate_and_select, until a Stop; stop_message words every ending.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "data/loader.h"
#include "train/preflight.h"
#include "train/run_folder.h"
#include "train/train_config.h"

namespace ctcscope {

struct TrainProgress {
  std::int64_t epoch = 0, epochs = 0;
  std::int64_t step = 0, steps = 0;  // within the epoch
  double images_per_second = 0;
  double loss = 0;                   // running mean of the epoch's training loss
  double eta_seconds = 0;            // to the end of the last epoch
};

// Hooks for the command line (progress, messages) and for tests.
struct TrainHooks {
  std::function<void(const TrainProgress&)> on_step;
  std::function<void(const std::string& line)> on_message;  // whole lines: setup, per-epoch summaries
  // Stop (RunStatus::interrupted) once this many epochs are done and saved, as
  // if the process had been killed after writing last.safetensors. 0: never.
  std::int64_t stop_after_epoch = 0;
  // Called with each training batch before its forward pass (tests inject a NaN here).
  std::function<void(Batch& batch, std::int64_t epoch, std::int64_t step)> before_step;
  // The output folder's free space (tests simulate a full disk); empty: statvfs.
  std::function<DiskSpace(const std::string& dir)> disk_space;
};

struct TrainOutcome {
  RunStatus status = RunStatus::running;  // completed, early_stopped, interrupted or diverged
  std::string message;
  std::int64_t epochs_completed = 0;
  std::int64_t best_epoch = 0;
  double best_val_macro_f1 = 0;
  // The best checkpoint's validation operating points in words; "" without one.
  std::string operating_points;
  std::string run_dir;
};

// Runs (or with `resume`, continues) the training run config describes, in
// config.out_dir. `command_line` goes into run.json. Without `resume` an
// out_dir that already holds a run is an error; with it, the run's config
// must match (except epochs and patience). Bad data and arguments throw
// ctcscope::Error naming the file; divergence is returned as RunStatus::diverged.
TrainOutcome train_run(const TrainConfig& config, bool resume, const std::string& command_line,
                       const TrainHooks& hooks = {});

}  // namespace ctcscope
