// The configuration of one training run: data, model, optimiser, schedule,
// model selection and the run folder. Written to RUN_DIR/config.json and
// into every checkpoint's metadata, so a run can be told, compared and resumed.
#pragma once

#include <cstdint>
#include <string>

#include "data/expansion.h"
#include "data/intensity.h"
#include "tensor/tensor.h"

namespace ctcscope {

struct TrainConfig {
  std::string dataset_dir;             // holds manifest.csv
  std::string out_dir;                 // the run folder
  std::string model = "resnet50";      // a make_model name
  Ablation ablation = kDefaultAblation;  // Table 3; BF_DAPI is the paper's method
  AugmentMode augment_mode = AugmentMode::offline;
  std::int64_t epochs = 30;
  std::int64_t batch = 16;
  double lr = 1e-3;                    // the paper's 1e-7 is for fine-tuning ImageNet weights
  double weight_decay = 1e-2;          // torch.optim.AdamW's default
  std::string lr_schedule = "constant";  // constant | cosine (to 0 over the run, no warm-up)
  std::int64_t input_size = 148;       // the paper's 148x148
  std::string intensity = kDefaultIntensity;  // data/intensity.h: how samples map to [0, 1]
  std::uint64_t seed = 0;              // weights, shuffling, augmentation, subsampling
  std::uint64_t split_seed = 0;        // the split (fixed across seeds, as the paper varies initialisation)
  std::string weights;                 // ImageNet weights to start from ("" = from scratch)
  std::string split = "paper";         // paper | stratified | a split CSV file
  std::string class_weights = "none";  // none | balanced (n / (k * count) over the training items)
  std::int64_t patience = 10;          // epochs without a better validation macro F1; 0 = never stop early
  std::int64_t max_cells = 0;          // 0 = every cell; else a stratified seeded subsample
  Device device = Device::cpu;
  std::int64_t loader_threads = 2;

  // Checks the values (names, ranges); throws ctcscope::Error naming the field.
  void validate() const;
  // A JSON object of every field, one per line, keys in the order above.
  std::string to_json() const;
  // Fields that change the result when a run is resumed (everything except
  // out_dir, epochs, patience, loader_threads): their JSON, for comparison.
  std::string identity_json() const;
};

// Reads a config.json written by to_json; errors name the file and the key.
TrainConfig train_config_from_json(const std::string& text, const std::string& what);

}  // namespace ctcscope
