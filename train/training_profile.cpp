// The training run's per-layer profile (train/training_profile.h).
#include "train/training_profile.h"

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "eval/profile_table.h"
#include "kernels/machine_peak.h"

namespace ctcscope {

TrainingProfile::TrainingProfile(const TrainConfig& config, Module& model, std::int64_t steps_per_epoch,
                                 std::function<void(const std::string&)> say)
    : config_(config), model_(model), say_(std::move(say)) {
  if (config.profile.empty()) return;
  first_step_ = steps_per_epoch > kWarmupSteps ? kWarmupSteps + 1 : 1;
  last_step_ = std::min(steps_per_epoch, first_step_ + kProfiledSteps - 1);
  profiler_ = std::make_unique<Profiler>(config.device);
}

void TrainingProfile::check_output(const TrainConfig& config) {
  if (config.profile.empty()) return;
  const std::filesystem::path folder = std::filesystem::path(config.profile).parent_path();
  if (!folder.empty() && !std::filesystem::is_directory(folder)) {
    CTC_FAIL("--profile ", config.profile, ": the folder ", folder.string(), " does not exist");
  }
}

void TrainingProfile::step_starts(std::int64_t step) {
  if (profiler_ && step == first_step_) profiler_->attach(model_, config_.model);
}

void TrainingProfile::step_ended(std::int64_t step) {
  if (profiler_ && step == last_step_) report();
}

void TrainingProfile::epoch_ended() {
  if (profiler_) report();
}

void TrainingProfile::report() {
  profiler_->detach();
  const ProfileResult result = profiler_->result();
  profiler_.reset();
  const MachinePeak peak = machine_peak(config_.device, 0.0);
  std::istringstream table(profile_table(result, peak));
  for (std::string line; std::getline(table, line);) say_(line);
  write_profile_csv(config_.profile, result, peak);
  say_("profile: wrote " + config_.profile);
}

}  // namespace ctcscope
