// The training loop: epochs of AdamW steps on the expanded training set,
// validation and model selection after each, the run folder kept current.
// train_run drives; prepare_run (train/prepared_run.h) sets everything up.
#include "train/trainer.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>

#include "base/sha256.h"
#include "kernels/gpu_math.h"
#include "train/operating_points.h"
#include "train/prepared_run.h"
#include "train/training_profile.h"

namespace ctcscope {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Why the epoch loop ended; stop_message turns it into words.
struct Stop {
  RunStatus status = RunStatus::completed;
  std::int64_t epoch = 0;   // the epoch it happened in; 0: before the first of this session
  std::string divergence;   // diverged: what became non-finite, and where
};

// The one place a run's final message is written.
std::string stop_message(const Stop& stop, const TrainConfig& config, const PreparedRun& run) {
  const TrainingState& s = run.state;
  switch (stop.status) {
    case RunStatus::completed:
      return "trained " + std::to_string(s.epoch) + " epochs; best validation macro F1 " +
             fmt("%.4f", s.best_val_macro_f1) + " at epoch " + std::to_string(s.best_epoch);
    case RunStatus::early_stopped:
      if (stop.epoch == 0) {
        return "the run had already stopped early (no better validation macro F1 for " +
               std::to_string(s.epochs_since_best) + " epochs)";
      }
      return "stopped early after epoch " + std::to_string(stop.epoch) + ": no better validation macro F1 for " +
             std::to_string(config.patience) + " epochs; best epoch " + std::to_string(s.best_epoch);
    case RunStatus::interrupted:
      return "stopped after epoch " + std::to_string(stop.epoch) + " by request; continue with --resume";
    case RunStatus::diverged:
      if (s.epoch == 0) {
        return stop.divergence + "; the run stopped. No checkpoint was written (it diverged in the first epoch). "
                                 "Try a smaller --lr.";
      }
      return stop.divergence + "; the run stopped. Last good checkpoint: " + run.paths.last() + " (epoch " +
             std::to_string(s.epoch) + "), best: " + run.paths.best() + " (epoch " + std::to_string(s.best_epoch) +
             "). Try a smaller --lr.";
    case RunStatus::running:
      break;
  }
  return "";
}

// run.json as the run stands.
void write_record(PreparedRun& run, RunStatus status, const std::string& message) {
  RunRecord& r = run.record;
  r.status = status;
  r.message = message;
  r.epochs_completed = run.state.epoch;
  r.best_epoch = run.state.best_epoch;
  r.best_val_macro_f1 = run.state.best_val_macro_f1 < 0 ? 0 : run.state.best_val_macro_f1;
  r.best_sha256 = file_exists(run.paths.best()) ? sha256_file_hex(run.paths.best()) : "";
  if (status != RunStatus::running) r.end_time = utc_now_iso();
  write_run_record(run.paths.run_record(), r);
}

// This session's training throughput, for the progress line's ETA.
struct Throughput {
  double seconds = 0;
  std::int64_t images = 0;
};

struct EpochLoss {
  double mean = 0;               // over the epoch's images
  std::optional<Stop> diverged;  // a non-finite loss: the step was not taken
};

EpochLoss train_epoch(PreparedRun& run, const TrainConfig& config, std::int64_t epoch, const TrainHooks& hooks,
                      Throughput& throughput, TrainingProfile& profile) {
  run.model->train();
  run.loader->start_epoch(epoch);
  Batch batch;
  std::int64_t step = 0, seen = 0;
  double loss_sum = 0;
  while (run.loader->next(batch)) {
    ++step;
    profile.step_starts(step);
    const auto step_start = Clock::now();
    if (hooks.before_step) hooks.before_step(batch, epoch, step);
    const double lr = run.schedule->lr_at(run.optimizer->step_count());
    run.optimizer->set_lr(lr);
    run.model->zero_grad();
    const double loss = run.criterion->forward(run.model->forward(run.upload->to_device(batch.images, config.device)),
                                               run.upload->to_device(batch.labels, config.device));
    if (!std::isfinite(loss)) {
      std::ostringstream what;
      what << "the training loss became " << loss << " at epoch " << epoch << ", step " << step << " (lr " << lr
           << ")";
      return {0, Stop{RunStatus::diverged, epoch, what.str()}};
    }
    run.model->backward(run.criterion->backward());
    run.optimizer->step();
    profile.step_ended(step);
    const std::int64_t n = batch.labels.numel();
    loss_sum += loss * static_cast<double>(n);
    seen += n;
    throughput.seconds += seconds_since(step_start);
    throughput.images += n;
    if (hooks.on_step) {
      TrainProgress p;
      p.epoch = epoch;
      p.epochs = config.epochs;
      p.step = step;
      p.steps = run.steps_per_epoch;
      p.images_per_second = static_cast<double>(throughput.images) / throughput.seconds;
      p.loss = loss_sum / static_cast<double>(seen);
      const double remaining = static_cast<double>(run.images_per_epoch - seen +
                                                   (config.epochs - epoch) * run.images_per_epoch);
      p.eta_seconds = remaining / p.images_per_second;
      hooks.on_step(p);
    }
  }
  // Errors the GPU flagged instead of waiting after each op (an index out of
  // a pool window, a bad label) are read once an epoch.
  if (config.device == Device::cuda) check_gpu_errors();
  profile.epoch_ended();
  return {loss_sum / static_cast<double>(seen), std::nullopt};
}

// Validates the epoch's weights, keeps them as best.safetensors when their
// macro F1 is the best so far, and saves metrics.csv, last.safetensors and
// run.json. Non-finite outputs stop the run before anything is saved.
std::optional<Stop> validate_and_select(PreparedRun& run, const TrainConfig& config, std::int64_t epoch,
                                        double train_loss, Clock::time_point epoch_start,
                                        const std::function<void(const std::string&)>& say) {
  const Predictions val = predict_items(*run.model, run.data.manifest, run.val_items, run.predict);
  if (val.nonfinite > 0) {
    return Stop{RunStatus::diverged, epoch,
                "the model's outputs became NaN or infinite after epoch " + std::to_string(epoch) +
                    " (validation cell " + val.first_nonfinite + ")"};
  }
  const Metrics vm = metrics_at(val, 0.5);
  EpochRow row;
  row.epoch = epoch;
  row.train_loss = train_loss;
  row.val_loss = val.mean_loss;
  row.val_accuracy = vm.accuracy;
  row.val_macro_precision = vm.macro_precision;
  row.val_macro_recall = vm.macro_recall;
  row.val_macro_f1 = vm.macro_f1;
  row.lr = run.optimizer->lr();
  TrainingState& state = run.state;
  const bool better = vm.macro_f1 > state.best_val_macro_f1;
  if (better) {
    // The thresholds and the temperature go into best.safetensors as it is
    // saved: its validation predictions are at hand here, so the file is
    // never without them (a kill leaves no best checkpoint waiting for its
    // metadata), and they change no weight or state, so a resumed run still
    // ends bit for bit as an uninterrupted one.
    CheckpointInfo info = run.info;
    const OperatingPoints points = choose_operating_points(val, config.target_sensitivity);
    store_operating_points(info, points);
    save_checkpoint(run.paths.best(), *run.model, info);
    state.best_val_macro_f1 = vm.macro_f1;
    state.best_epoch = epoch;
    state.epochs_since_best = 0;
  } else {
    ++state.epochs_since_best;
  }
  state.epoch = epoch;
  // metrics.csv first: a kill between the two writes leaves a row for an
  // epoch that last.safetensors does not hold yet, which resume drops and
  // recomputes; the other order would lose the row for good.
  row.seconds = seconds_since(epoch_start);
  run.rows.push_back(row);
  write_metrics_csv(run.paths.metrics(), run.rows);
  save_training_state(run.paths.last(), *run.model, *run.optimizer, state);
  run.record.train_seconds += row.seconds;
  write_record(run, RunStatus::running, "");
  say("epoch " + std::to_string(epoch) + "/" + std::to_string(config.epochs) + "  train loss " +
      fmt("%.4f", row.train_loss) + "  val loss " + fmt("%.4f", row.val_loss) + "  val acc " +
      fmt("%.4f", row.val_accuracy) + "  val macro F1 " + fmt("%.4f", row.val_macro_f1) + "  " +
      fmt("%.1f s", row.seconds) + (better ? "  (best so far: saved best.safetensors)" : ""));
  return std::nullopt;
}

// After a saved epoch (0: before the first): a requested stop, or patience run out.
std::optional<Stop> stop_after(const PreparedRun& run, const TrainConfig& config, std::int64_t epoch,
                               const TrainHooks& hooks) {
  if (epoch > 0 && hooks.stop_after_epoch > 0 && epoch == hooks.stop_after_epoch && epoch < config.epochs) {
    return Stop{RunStatus::interrupted, epoch, ""};
  }
  if (config.patience > 0 && run.state.epochs_since_best >= config.patience) {
    return Stop{RunStatus::early_stopped, epoch, ""};
  }
  return std::nullopt;
}

// Read back from the file: a resumed run's best checkpoint may come from an
// earlier session.
std::string best_operating_points_text(const std::string& best) {
  const OperatingPoints p = stored_operating_points(read_checkpoint_file(best).info, best);
  char buf[256];
  std::snprintf(buf, sizeof buf, "; threshold for CTC sensitivity %g: %.4f; Youden's J: %.4f", p.target_sensitivity,
                p.sensitivity_threshold, p.youden_threshold);
  return calibration_line(p) + (p.stored ? buf : "");
}

}  // namespace

TrainOutcome train_run(const TrainConfig& config, bool resume, const std::string& command_line,
                       const TrainHooks& hooks) {
  auto say = [&](const std::string& line) {
    if (hooks.on_message) hooks.on_message(line);
  };
  TrainingProfile::check_output(config);
  PreparedRun run = prepare_run(config, resume, command_line, hooks, say);
  write_record(run, RunStatus::running, "");

  Throughput throughput;
  TrainingProfile profile(config, *run.model, run.steps_per_epoch, say);
  std::optional<Stop> stop = stop_after(run, config, 0, hooks);
  for (std::int64_t epoch = run.state.epoch + 1; !stop && epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    const EpochLoss loss = train_epoch(run, config, epoch, hooks, throughput, profile);
    stop = loss.diverged ? loss.diverged : validate_and_select(run, config, epoch, loss.mean, epoch_start, say);
    if (!stop) stop = stop_after(run, config, epoch, hooks);
  }

  const Stop end = stop.value_or(Stop{});
  TrainOutcome outcome;
  outcome.run_dir = config.out_dir;
  outcome.status = end.status;
  outcome.message = stop_message(end, config, run);
  outcome.epochs_completed = run.state.epoch;
  outcome.best_epoch = run.state.best_epoch;
  outcome.best_val_macro_f1 = run.state.best_val_macro_f1;
  if (file_exists(run.paths.best())) outcome.operating_points = best_operating_points_text(run.paths.best());
  write_record(run, outcome.status, outcome.message);
  return outcome;
}

}  // namespace ctcscope
