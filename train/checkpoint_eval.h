// A saved model on cells: the test split of a run (its split.csv), every cell
// of a manifest, or a folder of new BF images without labels. The image
// channel is the checkpoint's main channel (BF; DAPI for the DAPI_* ablations),
// read from its training configuration. Where several checkpoints are given
// they vote as a seed ensemble (train/ensemble.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/expansion.h"
#include "data/manifest.h"
#include "eval/metrics.h"
#include "models/checkpoint.h"
#include "train/evaluate.h"
#include "train/operating_points.h"

namespace ctcscope {

struct CheckpointInfo;  // models/checkpoint.h

struct CheckpointEval {
  std::string checkpoint, architecture;  // checkpoint: the files, comma-separated for an ensemble
  Ablation ablation = kDefaultAblation;  // from the checkpoint's training config
  std::int64_t input_size = 0;
  std::vector<std::string> cell_ids;     // per item
  Predictions predictions;               // as the network gives them (uncalibrated; an ensemble's mean)
  OperatingPoints operating;             // the checkpoint's (stored = false: 0.5 and T = 1); an ensemble's:
                                         // train/ensemble.h ensemble_operating_points
  std::vector<double> calibrated_probability;  // per item, the checkpoint's temperature applied
  Metrics metrics;                       // at the threshold on the calibrated probability (labelled cells only)
  std::vector<ThresholdMetrics> at_operating_points;  // the threshold, then each stored one
  double auc = 0;                        // calibration changes no ranking: the same either way
  double ece = 0, ece_calibrated = 0;    // before and after the temperature
  // With a split file and ValidationCells::predict: the run's validation
  // cells too, for their reliability diagram (the split the temperature was
  // fitted on). Empty otherwise.
  Predictions validation;
  double threshold = 0.5;
};

// split_file empty: every cell of the manifest; else the cells its split
// file marks "test". A model that outputs NaN is an error naming a cell.
// `threshold` applies to the calibrated probability (at 0.5 the calls are
// the same either way: T scales the logit margin, whose sign decides).
// The validation pass is for the report only (eval --out): the experiment's
// test metrics and ensemble rows skip it.
enum class ValidationCells { skip, predict };
CheckpointEval evaluate_checkpoint(const std::vector<std::string>& checkpoints, const std::string& dataset_dir,
                                   const std::string& split_file, double threshold = 0.5,
                                   ValidationCells validation = ValidationCells::skip, int loader_threads = 2);
inline CheckpointEval evaluate_checkpoint(const std::string& checkpoint, const std::string& dataset_dir,
                                          const std::string& split_file, double threshold = 0.5,
                                          ValidationCells validation = ValidationCells::skip,
                                          int loader_threads = 2) {
  return evaluate_checkpoint(std::vector<std::string>{checkpoint}, dataset_dir, split_file, threshold, validation,
                             loader_threads);
}

// Predictions for unlabelled cells: a manifest's cells (labels ignored) or
// every .png/.tif/.tiff image of a folder except *_dapi.* (cell id: the file
// name without its extension and a trailing "_bf"). Always on the BF images.
struct CellPredictions {
  std::vector<std::string> cell_ids;
  std::vector<double> ctc_probability;  // calibrated: the checkpoint's temperature applied
  OperatingPoints operating;            // the checkpoint's
  std::string note;  // e.g. a DAPI-trained model applied to BF images
};
Manifest folder_manifest(const std::string& folder);
CellPredictions predict_cells(const std::vector<std::string>& checkpoints, const Manifest& manifest,
                              int loader_threads = 2);
inline CellPredictions predict_cells(const std::string& checkpoint, const Manifest& manifest, int loader_threads = 2) {
  return predict_cells(std::vector<std::string>{checkpoint}, manifest, loader_threads);
}

// How a checkpoint's model was fed and what it answers, from its metadata:
// the ablation it was trained with, its image settings (intensity stage with
// fitted levels, colour pick, page), its classes checked to be [leukocyte,
// ctc] (else an error: logit 1 would not be the CTC score), and its outputs
// checked finite (else an error naming a cell).
Ablation checkpoint_ablation(const CheckpointInfo& info);
CellImageSettings checkpoint_images(const CheckpointInfo& info, const std::string& checkpoint);
void check_ctc_classes(const CheckpointInfo& info, const std::string& checkpoint);
void check_finite(const Predictions& p, const std::string& checkpoint);

// How the checkpoint's model was fed: its intensity stage (fitted levels
// included) and, from its training configuration, each channel's colour pick
// and page. Checkpoints from before these options read images as decoded.
CellImageSettings checkpoint_images(const CheckpointInfo& info, const std::string& checkpoint);

// A JSON object of the evaluation: checkpoint, counts, metrics, confusion.
std::string checkpoint_eval_json(const CheckpointEval& e);

}  // namespace ctcscope
