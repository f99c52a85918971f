// The training loop: epochs of AdamW steps on the expanded training set,
// validation and model selection after each, the run folder kept current.
#include "train/trainer.h"

#include "train/preflight.h"
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "base/file_util.h"
#include "layers/cross_entropy_loss.h"
#include "models/checkpoint.h"
#include "models/registry.h"
#include "models/weight_import.h"
#include "optim/adamw.h"
#include "optim/lr_schedule.h"
#include "tensor/device.h"
#include "base/error.h"
#include "base/sha256.h"
#include "train/evaluate.h"
#include "train/preflight.h"
#include "train/run_data.h"
#include "train/run_folder.h"
#include "train/training_state.h"

namespace ctcscope {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// "balanced": n / (k * count_c) over the training items, as scikit-learn's
// compute_class_weight("balanced").
Tensor balanced_class_weights(const Manifest& manifest, const std::vector<TrainingItem>& items) {
  std::int64_t count[2] = {0, 0};
  for (const auto& item : items) ++count[label_index(manifest.cells[static_cast<std::size_t>(item.cell)].label)];
  CTC_CHECK(count[0] > 0 && count[1] > 0, "class weights 'balanced': the training set has ", count[1], " CTC and ",
            count[0], " leukocyte images; both classes are needed");
  const double n = static_cast<double>(items.size());
  return Tensor::from_vector(std::vector<float>{static_cast<float>(n / (2.0 * count[0])),
                                                static_cast<float>(n / (2.0 * count[1]))},
                             {2});
}

}  // namespace

TrainOutcome train_run(const TrainConfig& config, bool resume, const std::string& command_line,
                       const TrainHooks& hooks) {
  config.validate();
  if (config.device == Device::cuda) {
    std::string why;
    CTC_CHECK(cuda_device_count(&why) > 0, "device cuda: no GPU to train on (", why, ")");
  }
  auto say = [&](const std::string& line) {
    if (hooks.on_message) hooks.on_message(line);
  };
  const RunPaths paths{config.out_dir};
  make_dirs(config.out_dir);
  const bool has_run = file_exists(paths.config()) || file_exists(paths.last());
  if (!resume) {
    CTC_CHECK(!has_run, config.out_dir, ": the folder already holds a run (config.json or last.safetensors); "
              "pass --resume to continue it, or choose another --out");
  } else if (file_exists(paths.config())) {
    const TrainConfig previous = train_config_from_json(read_file_bytes(paths.config()), paths.config());
    CTC_CHECK(previous.identity_json() == config.identity_json(), paths.config(),
              ": the run was started with another configuration; --resume needs the same options (only --epochs "
              "and --patience may change). Recorded:\n",
              previous.identity_json(), "given:\n", config.identity_json());
  }

  // Data.
  RunData data = load_run_data(config.dataset_dir, config.split, config.max_cells, config.split_seed);
  CTC_CHECK(!data.train.empty(), config.dataset_dir, ": the split leaves no training cells");
  CTC_CHECK(!data.val.empty(), config.dataset_dir, ": the split leaves no validation cells (model selection needs them)");
  if (config.max_cells > 0 && data.manifest_cells > static_cast<std::int64_t>(data.manifest.cells.size())) {
    say("cells: " + std::to_string(data.manifest.cells.size()) + " of " + std::to_string(data.manifest_cells) +
        " (--max-cells " + std::to_string(config.max_cells) + ": a stratified subsample, for a quick run)");
  } else {
    say("cells: " + std::to_string(data.manifest.cells.size()));
  }
  say("split " + config.split + ": " + split_summary(data));
  {
    const SplitCounts counts = split_counts(data.manifest.cells, data.split);
    if (counts[1][0] == 0 || counts[1][1] == 0) {
      say("WARNING: the validation split holds only " + std::string(counts[1][0] == 0 ? "leukocytes" : "CTCs") +
          " (cells of one patient or donor never cross splits, and the other class came in groups too large to "
          "draw); validation macro F1 then measures one class only. A split file (--split FILE) avoids this.");
    }
  }
  const std::vector<TrainingItem> items = expand_training(data.manifest.cells, data.train, config.ablation);
  const std::vector<TrainingItem> val_items = evaluation_items(data.manifest.cells, data.val, config.ablation);
  say(std::string("ablation ") + ablation_name(config.ablation) + ": " + std::to_string(items.size()) +
      " training images from " + std::to_string(data.train.size()) + " cells (" +
      augment_mode_name(config.augment_mode) + " augmentation), validated on " + std::to_string(val_items.size()) +
      " " + channel_name(main_channel(config.ablation)) + " images");

  // Model, optimiser, loss.
  auto model = make_model(config.model, 2, config.seed);
  if (!config.weights.empty()) {
    ImportOptions io;
    io.replace_head = true;
    io.model = config.model;
    io.head_seed = config.seed;
    ImportReport report = import_weights(*model, config.weights, io);
    say("weights: " + report.summary());
  } else {
    say("weights: none given, training from scratch (initialised from seed " + std::to_string(config.seed) + ")");
  }
  // Preflight: every image decodes and the output folder takes the run's
  // files, before anything is trained (not at the first checkpoint).
  {
    std::vector<std::string> images;
    auto add = [&](const std::vector<TrainingItem>& list) {
      for (const auto& it : list) {
        const CellRecord& c = data.manifest.cells[static_cast<std::size_t>(it.cell)];
        images.push_back(it.channel == Channel::dapi ? c.dapi : c.bf);
      }
    };
    add(items);
    add(val_items);
    add(evaluation_items(data.manifest.cells, data.test, config.ablation));
    check_images(data.manifest, images);
    std::int64_t state_bytes = 0, parameter_bytes = 0;
    for (auto& [name, t] : model->state_dict()) state_bytes += static_cast<std::int64_t>(t->nbytes());
    for (auto& [name, p] : model->named_parameters()) parameter_bytes += static_cast<std::int64_t>(p->value.nbytes());
    check_output_folder(config.out_dir, training_output_bytes(state_bytes, parameter_bytes),
                        hooks.disk_space ? hooks.disk_space : disk_space);
  }

  // The intensity stage; dataset mode's levels from the training cells only.
  CellImageSettings images;
  images.intensity = parse_intensity(config.intensity);
  images.intensity = fit_dataset_levels(data.manifest, data.train, images);
  say("intensity " + images.intensity.str());

  // On the GPU from here: the optimiser's moments and every batch follow the weights.
  model->to_device(config.device);

  AdamWOptions ao;
  ao.lr = config.lr;
  ao.weight_decay = config.weight_decay;
  AdamW optimizer(model->named_parameters(), ao);
  Tensor class_weights;
  if (config.class_weights == "balanced") {
    class_weights = balanced_class_weights(data.manifest, items);
    say("class weights (balanced): leukocyte " + fmt("%.4f", class_weights.item(0)) + ", ctc " +
        fmt("%.4f", class_weights.item(1)));
  }
  CrossEntropyLoss criterion(class_weights.defined() ? class_weights.to_device(config.device) : class_weights);

  LoaderOptions lo;
  lo.batch_size = config.batch;
  lo.input_size = config.input_size;
  lo.shuffle = true;
  // A last batch of one image would leave BatchNorm one value per channel at 1x1 maps.
  lo.drop_last = static_cast<std::int64_t>(items.size()) % config.batch == 1;
  lo.cache = true;
  lo.threads = static_cast<int>(config.loader_threads);
  lo.augment_mode = config.augment_mode;
  lo.images = images;
  lo.seed = config.seed;
  BatchLoader loader(data.manifest, items, lo);
  const std::int64_t steps_per_epoch = loader.batches_per_epoch();
  const LrSchedule schedule = config.lr_schedule == "cosine"
                                  ? LrSchedule::warmup_cosine(config.lr, config.epochs * steps_per_epoch, 0, 1.0, 0.0)
                                  : LrSchedule::constant(config.lr);
  PredictOptions po;
  po.input_size = config.input_size;
  po.batch = config.batch;
  po.loader_threads = static_cast<int>(config.loader_threads);
  po.device = config.device;
  po.images = images;

  // State: fresh, or from last.safetensors.
  TrainingState state;
  state.training_config = config.identity_json();
  std::vector<EpochRow> rows;
  if (resume && file_exists(paths.last())) {
    state = load_training_state(paths.last(), *model, optimizer);
    // One mask draw per step so far: the resumed run's masks are the uninterrupted run's.
    model->set_random_draws(static_cast<std::uint64_t>(optimizer.step_count()));
    CTC_CHECK(state.training_config == config.identity_json(), paths.last(),
              ": the training state was written by a run with another configuration");
    for (const auto& r : read_metrics_csv(paths.metrics())) {
      if (r.epoch <= state.epoch) rows.push_back(r);
    }
    say("resuming after epoch " + std::to_string(state.epoch) + " (step " + std::to_string(state.step_count) +
        ", best validation macro F1 " + fmt("%.4f", state.best_val_macro_f1) + " at epoch " +
        std::to_string(state.best_epoch) + ")");
  } else {
    if (resume) say("resume: no last.safetensors in " + config.out_dir + ", starting from epoch 1");
    write_split(paths.split(), data.manifest.cells, data.split);
    write_metrics_csv(paths.metrics(), rows);
  }
  write_file_atomic(paths.config(), config.to_json());

  RunRecord record;
  record.status = "running";
  record.software_version = std::string("ctcscope ").append(CTC_VERSION);
  record.command_line = command_line;
  record.start_time = utc_now_iso();
  record.dataset_dir = config.dataset_dir;
  record.manifest_sha256 = manifest_sha256(config.dataset_dir);
  record.manifest_cells = data.manifest_cells;
  record.run_cells = static_cast<std::int64_t>(data.manifest.cells.size());
  if (!config.weights.empty()) {
    record.weights_file = config.weights;
    record.weights_sha256 = sha256_file_hex(config.weights);
  }
  record.threads = static_cast<int>(config.loader_threads);
  auto update_record = [&](const std::string& status, const std::string& message) {
    record.status = status;
    record.message = message;
    record.epochs_completed = state.epoch;
    record.best_epoch = state.best_epoch;
    record.best_val_macro_f1 = state.best_val_macro_f1 < 0 ? 0 : state.best_val_macro_f1;
    record.best_sha256 = file_exists(paths.best()) ? sha256_file_hex(paths.best()) : "";
    if (status != "running") record.end_time = utc_now_iso();
    write_run_record(paths.run_record(), record);
  };
  update_record("running", "");

  CheckpointInfo info;
  info.architecture = config.model;
  info.classes = {"leukocyte", "ctc"};  // logit order: label 0, label 1
  info.input_size = config.input_size;
  info.training_config = config.to_json();
  info.intensity = images.intensity.str();

  TrainOutcome outcome;
  outcome.run_dir = config.out_dir;
  auto finish = [&](const std::string& status, const std::string& message) {
    update_record(status, message);
    outcome.status = status;
    outcome.message = message;
    outcome.epochs_completed = state.epoch;
    outcome.best_epoch = state.best_epoch;
    outcome.best_val_macro_f1 = state.best_val_macro_f1;
    return outcome;
  };

  if (config.patience > 0 && state.epochs_since_best >= config.patience) {
    return finish("early_stopped", "the run had already stopped early (no better validation macro F1 for " +
                                       std::to_string(state.epochs_since_best) + " epochs)");
  }
  const std::int64_t images_per_epoch =
      lo.drop_last ? steps_per_epoch * config.batch : static_cast<std::int64_t>(items.size());
  double session_seconds = 0;
  std::int64_t session_images = 0;
  for (std::int64_t epoch = state.epoch + 1; epoch <= config.epochs; ++epoch) {
    const auto epoch_start = Clock::now();
    model->train();
    loader.start_epoch(epoch);
    Batch batch;
    std::int64_t step = 0, seen = 0;
    double loss_sum = 0;
    while (loader.next(batch)) {
      ++step;
      const auto step_start = Clock::now();
      if (hooks.before_step) hooks.before_step(batch, epoch, step);
      const double lr = schedule.lr_at(optimizer.step_count());
      optimizer.set_lr(lr);
      model->zero_grad();
      const double loss = criterion.forward(model->forward(batch.images.to_device(config.device)),
                                            batch.labels.to_device(config.device));
      if (!std::isfinite(loss)) {
        std::ostringstream m;
        m << "the training loss became " << loss << " at epoch " << epoch << ", step " << step << " (lr " << lr
          << "); the run stopped. ";
        if (state.epoch > 0) {
          m << "Last good checkpoint: " << paths.last() << " (epoch " << state.epoch << "), best: " << paths.best()
            << " (epoch " << state.best_epoch << "). Try a smaller --lr.";
        } else {
          m << "No checkpoint was written (it diverged in the first epoch). Try a smaller --lr.";
        }
        return finish("diverged", m.str());
      }
      model->backward(criterion.backward());
      optimizer.step();
      const std::int64_t n = batch.labels.numel();
      loss_sum += loss * static_cast<double>(n);
      seen += n;
      session_seconds += seconds_since(step_start);
      session_images += n;
      if (hooks.on_step) {
        TrainProgress p;
        p.epoch = epoch;
        p.epochs = config.epochs;
        p.step = step;
        p.steps = steps_per_epoch;
        p.images_per_second = static_cast<double>(session_images) / session_seconds;
        p.loss = loss_sum / static_cast<double>(seen);
        const double remaining =
            static_cast<double>(images_per_epoch - seen + (config.epochs - epoch) * images_per_epoch);
        p.eta_seconds = remaining / p.images_per_second;
        hooks.on_step(p);
      }
    }

    const Predictions val = predict_items(*model, data.manifest, val_items, po);
    if (val.nonfinite > 0) {
      std::ostringstream m;
      m << "the model's outputs became NaN or infinite after epoch " << epoch << " (validation cell "
        << val.first_nonfinite << "); the run stopped. ";
      if (state.epoch > 0) {
        m << "Last good checkpoint: " << paths.last() << " (epoch " << state.epoch << "). Try a smaller --lr.";
      } else {
        m << "No checkpoint was written. Try a smaller --lr.";
      }
      return finish("diverged", m.str());
    }
    const Metrics vm = metrics_at(val, 0.5);
    EpochRow row;
    row.epoch = epoch;
    row.train_loss = loss_sum / static_cast<double>(seen);
    row.val_loss = val.mean_loss;
    row.val_accuracy = vm.accuracy;
    row.val_macro_precision = vm.macro_precision;
    row.val_macro_recall = vm.macro_recall;
    row.val_macro_f1 = vm.macro_f1;
    row.lr = optimizer.lr();
    const bool better = vm.macro_f1 > state.best_val_macro_f1;
    if (better) {
      save_checkpoint(paths.best(), *model, info);
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
    rows.push_back(row);
    write_metrics_csv(paths.metrics(), rows);
    save_training_state(paths.last(), *model, optimizer, state);
    record.train_seconds += row.seconds;
    update_record("running", "");
    say("epoch " + std::to_string(epoch) + "/" + std::to_string(config.epochs) + "  train loss " +
        fmt("%.4f", row.train_loss) + "  val loss " + fmt("%.4f", row.val_loss) + "  val acc " +
        fmt("%.4f", row.val_accuracy) + "  val macro F1 " + fmt("%.4f", row.val_macro_f1) + "  " +
        fmt("%.1f s", row.seconds) + (better ? "  (best so far: saved best.safetensors)" : ""));

    if (hooks.stop_after_epoch > 0 && epoch == hooks.stop_after_epoch && epoch < config.epochs) {
      return finish("interrupted", "stopped after epoch " + std::to_string(epoch) +
                                       " by request; continue with --resume");
    }
    if (config.patience > 0 && state.epochs_since_best >= config.patience) {
      return finish("early_stopped", "stopped early after epoch " + std::to_string(epoch) +
                                         ": no better validation macro F1 for " + std::to_string(config.patience) +
                                         " epochs; best epoch " + std::to_string(state.best_epoch));
    }
  }
  return finish("completed", "trained " + std::to_string(state.epoch) + " epochs; best validation macro F1 " +
                                 fmt("%.4f", state.best_val_macro_f1) + " at epoch " +
                                 std::to_string(state.best_epoch));
}

}  // namespace ctcscope
