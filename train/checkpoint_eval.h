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
#include "train/operating_points.h"

namespace ctcscope {

struct CheckpointEval {
  std::string checkpoint, architecture;
  Ablation ablation = kDefaultAblation;  // from the checkpoint's training config
  std::int64_t input_size = 0;
  std::vector<std::string> cell_ids;     // per item
  Predictions predictions;               // as the network gives them (uncalibrated)
  OperatingPoints operating;             // the checkpoint's (stored = false: 0.5 and T = 1)
  std::vector<double> calibrated_probability;  // per item, the checkpoint's temperature applied
  Metrics metrics;                       // at the threshold on the calibrated probability (labelled cells only)
  std::vector<ThresholdMetrics> at_operating_points;  // the threshold, then each stored one
  double auc = 0;                        // calibration changes no ranking: the same either way
  double ece = 0, ece_calibrated = 0;    // before and after the temperature
  // With a split file: the run's validation cells too, for their reliability
  // diagram (the split the temperature was fitted on). Empty with --all.
  Predictions validation;
  double threshold = 0.5;
};

// split_file empty: every cell of the manifest; else the cells its split
// file marks "test". A model that outputs NaN is an error naming a cell.
// `threshold` applies to the calibrated probability (at 0.5 the calls are
// the same either way: T scales the logit margin, whose sign decides).
CheckpointEval evaluate_checkpoint(const std::string& checkpoint, const std::string& dataset_dir,
                                   const std::string& split_file, double threshold = 0.5, int loader_threads = 2);

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
CellPredictions predict_cells(const std::string& checkpoint, const Manifest& manifest, int loader_threads = 2);

// A JSON object of the evaluation: checkpoint, counts, metrics, confusion.
std::string checkpoint_eval_json(const CheckpointEval& e);

}  // namespace ctcscope
