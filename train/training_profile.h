// `ctcscope train --profile FILE.csv`: a per-layer profile (layers/profiler.h)
// of steps 2 to 11 of the session's first epoch (step 1 warms up: buffers
// grow, cuDNN picks its algorithms; an epoch of one step is profiled whole),
// then the table is said line by line and the CSV written. Validation and
// later steps run unprofiled. Without --profile every call does nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "layers/profiler.h"
#include "train/train_config.h"

namespace ctcscope {

class TrainingProfile {
 public:
  static constexpr std::int64_t kWarmupSteps = 1;
  static constexpr std::int64_t kProfiledSteps = 10;

  TrainingProfile(const TrainConfig& config, Module& model, std::int64_t steps_per_epoch,
                  std::function<void(const std::string&)> say);

  // Throws Error when the CSV's folder does not exist: called before the run
  // folder is made, so a mistyped path costs nothing.
  static void check_output(const TrainConfig& config);

  // Around each training step (1-based within the epoch).
  void step_starts(std::int64_t step);
  void step_ended(std::int64_t step);
  // At the end of each epoch: reports if the profile is still open.
  void epoch_ended();

 private:
  void report();

  const TrainConfig& config_;
  Module& model_;
  std::function<void(const std::string&)> say_;
  std::int64_t first_step_ = 0, last_step_ = 0;  // profiled, inclusive
  std::unique_ptr<Profiler> profiler_;  // null without --profile or once reported
};

}  // namespace ctcscope
