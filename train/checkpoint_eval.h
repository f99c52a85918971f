// A saved model on cells: the test split of a run (its split.csv), every cell
// of a manifest, or a folder of new BF images without labels. The image
// channel is the checkpoint's main channel (BF; DAPI for the DAPI_* ablations),
// read from its training configuration.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/expansion.h"
#include "data/manifest.h"
#include "eval/metrics.h"
#include "train/evaluate.h"

namespace ctcscope {

struct CheckpointInfo;  // models/checkpoint.h

struct CheckpointEval {
  std::string checkpoint, architecture;
  Ablation ablation = kDefaultAblation;  // from the checkpoint's training config
  std::int64_t input_size = 0;
  std::vector<std::string> cell_ids;     // per item
  Predictions predictions;
  Metrics metrics;                       // at the threshold (labelled cells only)
  double auc = 0;
  double threshold = 0.5;
};

// split_file empty: every cell of the manifest; else the cells its split
// file marks "test". A model that outputs NaN is an error naming a cell.
CheckpointEval evaluate_checkpoint(const std::string& checkpoint, const std::string& dataset_dir,
                                   const std::string& split_file, double threshold = 0.5, int loader_threads = 2);

// Predictions for unlabelled cells: a manifest's cells (labels ignored) or
// every .png/.tif/.tiff image of a folder except *_dapi.* (cell id: the file
// name without its extension and a trailing "_bf"). Always on the BF images.
struct CellPredictions {
  std::vector<std::string> cell_ids;
  std::vector<double> ctc_probability;
  std::string note;  // e.g. a DAPI-trained model applied to BF images
};
Manifest folder_manifest(const std::string& folder);
CellPredictions predict_cells(const std::string& checkpoint, const Manifest& manifest, int loader_threads = 2);

// How the checkpoint's model was fed: its intensity stage (fitted levels
// included) and, from its training configuration, each channel's colour pick
// and page. Checkpoints from before these options read images as decoded.
CellImageSettings checkpoint_images(const CheckpointInfo& info, const std::string& checkpoint);

// A JSON object of the evaluation: checkpoint, counts, metrics, confusion.
std::string checkpoint_eval_json(const CheckpointEval& e);

}  // namespace ctcscope
