// The configuration of one training run: data, model, optimiser, schedule,
// model selection and the run folder. Written to RUN_DIR/config.json and
// into every checkpoint's metadata, so a run can be told, compared and resumed.
// Each field is declared once more, with its key, flag, range and help, in
// train/train_options.cpp; JSON, validation and the command lines follow that
// table, so adding an option is two edits: the field here and its row there.
#pragma once

#include <cstdint>
#include <string>

#include "data/expansion.h"
#include "data/image_file.h"
#include "data/intensity.h"
#include "tensor/tensor.h"

namespace ctcscope {

class JsonValue;

enum class LrScheduleKind { constant, cosine };  // cosine: to 0 over the run, no warm-up
const char* lr_schedule_name(LrScheduleKind kind);
LrScheduleKind lr_schedule_from_name(const std::string& name);  // throws Error listing the names

enum class ClassWeighting { none, balanced };  // balanced: n / (k * count) over the training items
const char* class_weighting_name(ClassWeighting weighting);
ClassWeighting class_weighting_from_name(const std::string& name);

// The default rate: the paper's 1e-7 fine-tunes ImageNet weights; from
// scratch it barely moves, so 1e-3 (README, "Training").
inline constexpr double kFineTuneLr = 1e-7;
inline constexpr double kScratchLr = 1e-3;

struct TrainConfig {
  std::string dataset_dir;             // holds manifest.csv
  std::string out_dir;                 // the run folder
  std::string model = "resnet50";      // a make_model name
  Ablation ablation = kDefaultAblation;  // Table 3; BF_DAPI is the paper's method
  AugmentMode augment_mode = AugmentMode::offline;
  std::int64_t epochs = 30;
  std::int64_t batch = 16;
  double lr = kScratchLr;              // commands default it to kFineTuneLr with weights
  double weight_decay = 1e-2;          // torch.optim.AdamW's default
  LrScheduleKind lr_schedule = LrScheduleKind::constant;
  std::int64_t input_size = 148;       // the paper's 148x148
  std::string intensity = kDefaultIntensity;  // data/intensity.h: how samples map to [0, 1]
  ChannelPick bf_channel = ChannelPick::gray;  // the colour channel a stain was exported in
  ChannelPick dapi_channel = ChannelPick::gray;
  std::int64_t bf_page = -1;           // a multi-page TIFF's page; -1: the file must have one
  std::int64_t dapi_page = -1;
  std::uint64_t seed = 0;              // weights, shuffling, augmentation, subsampling
  std::uint64_t split_seed = 0;        // the split (fixed across seeds, as the paper varies initialisation)
  std::string weights;                 // ImageNet weights to start from ("" = from scratch)
  std::string split = "paper";         // paper | stratified | a split CSV file
  ClassWeighting class_weights = ClassWeighting::none;
  // The CTC sensitivity whose threshold the best checkpoint stores, chosen
  // on validation (train/operating_points.h); predict calls at it.
  double target_sensitivity = 0.95;
  std::int64_t patience = 10;          // epochs without a better validation macro F1; 0 = never stop early
  std::int64_t max_cells = 0;          // 0 = every cell; else a stratified seeded subsample
  Device device = Device::cpu;
  // GPU: only deterministic cuDNN algorithms and fixed-order reductions, so
  // a run reproduces bit for bit (kernels/gpu_math.h); no effect on the CPU,
  // which is always deterministic.
  bool deterministic = false;
  std::int64_t loader_threads = 2;
  // A per-layer profile of up to 10 training steps of the session's first
  // epoch, its table printed and its CSV written here (train/training_profile.h);
  // "" = none. Not part of the run's identity.
  std::string profile;

  // Checks every value against its option's range or names; throws
  // ctcscope::Error naming the option.
  void validate() const;
  // A JSON object of every option, one per line, in the table's order.
  std::string to_json() const;
  // The options that change the result when a run is resumed (not out_dir,
  // dataset_dir, epochs, patience, loader_threads): their JSON, for comparison.
  std::string identity_json() const;
};

// Reads a config.json written by to_json; errors name the file and the key.
// A key added after the file was written reads as the old behaviour.
TrainConfig train_config_from_json(const std::string& text, const std::string& what);
// The same from a parsed object (a config inside another file: plan.json).
TrainConfig train_config_from_json(const JsonValue& v, const std::string& what);

}  // namespace ctcscope
