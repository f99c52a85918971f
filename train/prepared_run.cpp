// Preparing a training run, step by step, in the order its messages appear.
#include "train/prepared_run.h"

#include <cstdio>

#include "data/cell_image.h"
#include "base/file_util.h"
#include "kernels/gpu_math.h"
#include "models/registry.h"
#include "models/weight_import.h"
#include "tensor/device.h"
#include "base/error.h"
#include "base/sha256.h"
#include "train/preflight.h"

namespace ctcscope {

namespace {

using Say = std::function<void(const std::string&)>;

std::string fmt(const char* format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

// Before anything is read: the device exists, and the folder holds no other
// run (or, resuming, this run with the same options).
void check_start(const TrainConfig& config, bool resume, const RunPaths& paths) {
  config.validate();
  if (config.device == Device::cuda) {
    std::string why;
    CTC_CHECK(cuda_device_count(&why) > 0, "device cuda: no GPU to train on (", why, ")");
  }
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
}

// The cells, their split and the training and validation images.
void load_data(const TrainConfig& config, PreparedRun& run, const Say& say) {
  RunData& data = run.data;
  data = load_run_data(config.dataset_dir, config.split, config.max_cells, config.split_seed);
  CTC_CHECK(!data.train.empty(), config.dataset_dir, ": the split leaves no training cells");
  CTC_CHECK(!data.val.empty(), config.dataset_dir, ": the split leaves no validation cells (model selection needs them)");
  if (config.max_cells > 0 && data.manifest_cells > static_cast<std::int64_t>(data.manifest.cells.size())) {
    say("cells: " + std::to_string(data.manifest.cells.size()) + " of " + std::to_string(data.manifest_cells) +
        " (--max-cells " + std::to_string(config.max_cells) + ": a stratified subsample, for a quick run)");
  } else {
    say("cells: " + std::to_string(data.manifest.cells.size()));
  }
  say("split " + config.split + ": " + split_summary(data));
  const SplitCounts counts = split_counts(data.manifest.cells, data.split);
  if (counts[1][0] == 0 || counts[1][1] == 0) {
    say("WARNING: the validation split holds only " + std::string(counts[1][0] == 0 ? "leukocytes" : "CTCs") +
        " (cells of one patient or donor never cross splits, and the other class came in groups too large to "
        "draw); validation macro F1 then measures one class only. A split file (--split FILE) avoids this.");
  }
  run.items = expand_training(data.manifest.cells, data.train, config.ablation);
  run.val_items = evaluation_items(data.manifest.cells, data.val, config.ablation);
  say(std::string("ablation ") + ablation_name(config.ablation) + ": " + std::to_string(run.items.size()) +
      " training images from " + std::to_string(data.train.size()) + " cells (" +
      augment_mode_name(config.augment_mode) + " augmentation), validated on " +
      std::to_string(run.val_items.size()) + " " + channel_name(main_channel(config.ablation)) + " images");
}

// The network, from ImageNet weights (head replaced) or from the seed.
std::unique_ptr<Module> make_starting_model(const TrainConfig& config, const Say& say) {
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
  return model;
}

// Every image decodes and the output folder takes the run's files, before
// anything is trained (not at the first checkpoint).
void preflight(const TrainConfig& config, const PreparedRun& run, const CellImageSettings& settings,
               const TrainHooks& hooks) {
  const RunData& data = run.data;
  std::vector<ImageToCheck> images;
  auto add = [&](const std::vector<TrainingItem>& list) {
    for (const auto& it : list) {
      const CellRecord& c = data.manifest.cells[static_cast<std::size_t>(it.cell)];
      images.push_back({it.channel == Channel::dapi ? c.dapi : c.bf, it.channel});
    }
  };
  add(run.items);
  add(run.val_items);
  add(evaluation_items(data.manifest.cells, data.test, config.ablation));
  check_images(data.manifest, images, settings);
  std::int64_t state_bytes = 0, parameter_bytes = 0;
  for (auto& [name, t] : run.model->state_dict()) state_bytes += static_cast<std::int64_t>(t->nbytes());
  for (auto& [name, p] : run.model->named_parameters()) parameter_bytes += static_cast<std::int64_t>(p->value.nbytes());
  check_output_folder(config.out_dir, training_output_bytes(state_bytes, parameter_bytes),
                      hooks.disk_space ? hooks.disk_space : disk_space);
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

// Optimiser, loss, loader, schedule and validation settings.
void make_training_parts(const TrainConfig& config, const CellImageSettings& images, PreparedRun& run,
                         const Say& say) {
  AdamWOptions ao;
  ao.lr = config.lr;
  ao.weight_decay = config.weight_decay;
  run.optimizer = std::make_unique<AdamW>(run.model->named_parameters(), ao);
  Tensor class_weights;
  if (config.class_weights == ClassWeighting::balanced) {
    class_weights = balanced_class_weights(run.data.manifest, run.items);
    say("class weights (balanced): leukocyte " + fmt("%.4f", class_weights.item(0)) + ", ctc " +
        fmt("%.4f", class_weights.item(1)));
  }
  run.criterion = std::make_unique<CrossEntropyLoss>(
      class_weights.defined() ? class_weights.to_device(config.device) : class_weights);

  LoaderOptions lo;
  lo.batch_size = config.batch;
  lo.input_size = config.input_size;
  lo.shuffle = true;
  // A last batch of one image would leave BatchNorm one value per channel at 1x1 maps.
  lo.drop_last = static_cast<std::int64_t>(run.items.size()) % config.batch == 1;
  lo.cache = true;
  lo.threads = static_cast<int>(config.loader_threads);
  lo.augment_mode = config.augment_mode;
  lo.images = images;
  if (config.device == Device::cuda) lo.host_allocator = Tensor::empty_pinned;
  lo.seed = config.seed;
  run.loader = std::make_unique<BatchLoader>(run.data.manifest, run.items, lo);
  run.steps_per_epoch = run.loader->batches_per_epoch();
  run.images_per_epoch =
      lo.drop_last ? run.steps_per_epoch * config.batch : static_cast<std::int64_t>(run.items.size());
  run.schedule = config.lr_schedule == LrScheduleKind::cosine
                     ? LrSchedule::warmup_cosine(config.lr, config.epochs * run.steps_per_epoch, 0, 1.0, 0.0)
                     : LrSchedule::constant(config.lr);
  run.predict.input_size = config.input_size;
  run.predict.batch = config.batch;
  run.predict.loader_threads = static_cast<int>(config.loader_threads);
  run.predict.device = config.device;
  run.predict.images = images;
}

// The state: from last.safetensors when resuming one, else fresh (split.csv
// and an empty metrics.csv written).
void resume_or_start(const TrainConfig& config, bool resume, PreparedRun& run, const Say& say) {
  run.state.training_config = config.identity_json();
  if (resume && file_exists(run.paths.last())) {
    run.state = load_training_state(run.paths.last(), *run.model, *run.optimizer);
    // One mask draw per step so far: the resumed run's masks are the uninterrupted run's.
    run.model->set_random_draws(static_cast<std::uint64_t>(run.optimizer->step_count()));
    CTC_CHECK(run.state.training_config == config.identity_json(), run.paths.last(),
              ": the training state was written by a run with another configuration");
    for (const auto& r : read_metrics_csv(run.paths.metrics())) {
      if (r.epoch <= run.state.epoch) run.rows.push_back(r);
    }
    say("resuming after epoch " + std::to_string(run.state.epoch) + " (step " +
        std::to_string(run.state.step_count) + ", best validation macro F1 " +
        fmt("%.4f", run.state.best_val_macro_f1) + " at epoch " + std::to_string(run.state.best_epoch) + ")");
  } else {
    if (resume) say("resume: no last.safetensors in " + config.out_dir + ", starting from epoch 1");
    write_split(run.paths.split(), run.data.manifest.cells, run.data.split);
    write_metrics_csv(run.paths.metrics(), run.rows);
  }
}

RunRecord start_record(const TrainConfig& config, const std::string& command_line, const RunData& data) {
  RunRecord record;
  record.status = RunStatus::running;
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
  record.arithmetic = config.device == Device::cpu       ? "cpu"
                      : config.deterministic              ? "cuda tf32 deterministic"
                                                          : "cuda tf32";
  return record;
}

}  // namespace

PreparedRun prepare_run(const TrainConfig& config, bool resume, const std::string& command_line,
                        const TrainHooks& hooks, const Say& say) {
  PreparedRun run;
  run.paths = RunPaths{config.out_dir};
  check_start(config, resume, run.paths);
  load_data(config, run, say);
  run.model = make_starting_model(config, say);
  // How images are read (colour channel, page) and the intensity stage;
  // dataset mode's levels from the training cells only.
  CellImageSettings images;
  images.read = {ImageReadOptions{config.bf_channel, static_cast<int>(config.bf_page)},
                 ImageReadOptions{config.dapi_channel, static_cast<int>(config.dapi_page)}};
  preflight(config, run, images, hooks);
  images.intensity = parse_intensity(config.intensity);
  images.intensity = fit_dataset_levels(run.data.manifest, run.data.train, images);
  say("intensity " + images.intensity.str());

  // On the GPU from here: the optimiser's moments and every batch follow the
  // weights; batches come from pinned memory and upload while the GPU works.
  if (config.device == Device::cuda) set_gpu_math(GpuMath{.allow_tf32 = true, .deterministic = config.deterministic});
  run.model->to_device(config.device);
  make_training_parts(config, images, run, say);
  resume_or_start(config, resume, run, say);
  write_file_atomic(run.paths.config(), config.to_json());

  run.info.architecture = config.model;
  run.info.classes = {"leukocyte", "ctc"};  // logit order: label 0, label 1
  run.info.input_size = config.input_size;
  run.info.training_config = config.to_json();
  run.info.intensity = images.intensity.str();
  run.record = start_record(config, command_line, run.data);
  return run;
}

}  // namespace ctcscope
