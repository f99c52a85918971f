// last.safetensors: everything a run needs to go on after an interruption:
// the model's state_dict (parameters and BatchNorm buffers, as "model.<name>"),
// AdamW's moments ("optim.<param>.exp_avg", ".exp_avg_sq"), and in the
// metadata the optimiser's step count, the epochs done and the model
// selection's state. The data order is a pure function of (seed, epoch), so
// a resumed run replays the rest of the uninterrupted one exactly.
#pragma once

#include <cstdint>
#include <string>

#include "layers/module.h"
#include "optim/adamw.h"

namespace ctcscope {

struct TrainingState {
  std::int64_t epoch = 0;       // epochs completed
  std::int64_t step_count = 0;  // optimiser steps taken
  double best_val_macro_f1 = -1;
  std::int64_t best_epoch = 0;
  std::int64_t epochs_since_best = 0;
  std::string training_config = "{}";  // TrainConfig::identity_json of the run that wrote it
};

inline constexpr const char* kTrainingStateFormat = "ctcscope-training-state";

// Written atomically; the metadata holds a payload sha256 (as checkpoints).
void save_training_state(const std::string& path, Module& model, AdamW& optimizer, const TrainingState& state);

// Checks the format and the payload sha256, then copies every tensor into
// the model and the optimiser (each must be present with its shape), sets the
// optimiser's step count and returns the counters. Errors name the file.
TrainingState load_training_state(const std::string& path, Module& model, AdamW& optimizer);

}  // namespace ctcscope
