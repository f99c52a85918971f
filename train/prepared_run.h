// Everything a training run needs before its first step, prepared in one
// place: the checks (device, run folder, a resumed run's configuration), the
// data and its split, the model with its starting weights, the preflight
// (every image decodes, the folder has room), the intensity stage, optimiser,
// loss, loader and schedule, and the state (fresh, or from last.safetensors).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/loader.h"
#include "layers/cross_entropy_loss.h"
#include "layers/module.h"
#include "models/checkpoint.h"
#include "optim/adamw.h"
#include "optim/lr_schedule.h"
#include "tensor/upload.h"
#include "train/evaluate.h"
#include "train/run_data.h"
#include "train/run_folder.h"
#include "train/train_config.h"
#include "train/trainer.h"
#include "train/training_state.h"

namespace ctcscope {

struct PreparedRun {
  RunPaths paths;
  RunData data;
  std::vector<TrainingItem> items;      // the expanded training set
  std::vector<TrainingItem> val_items;  // validation images of the main channel
  std::unique_ptr<Module> model;        // on config.device
  std::unique_ptr<AdamW> optimizer;
  std::unique_ptr<CrossEntropyLoss> criterion;
  std::unique_ptr<BatchLoader> loader;
  std::unique_ptr<Uploader> upload = std::make_unique<Uploader>();  // batches to the model's device
  std::optional<LrSchedule> schedule;  // set with the loader (it needs the steps per epoch)
  std::int64_t steps_per_epoch = 0, images_per_epoch = 0;
  PredictOptions predict;  // validation
  CheckpointInfo info;     // best.safetensors' metadata
  TrainingState state;     // epochs done, the best so far
  std::vector<EpochRow> rows;  // metrics.csv
  RunRecord record;            // run.json
};

// Prepares the run (see above) and writes config.json, split.csv,
// metrics.csv and run.json (status running). `say` gets whole lines.
PreparedRun prepare_run(const TrainConfig& config, bool resume, const std::string& command_line,
                        const TrainHooks& hooks, const std::function<void(const std::string&)>& say);

}  // namespace ctcscope
