// Seed ensembles: several checkpoints of one configuration (an experiment's
// seeds) vote by averaging their CTC probabilities. Each member reads the
// images as it was trained to (its own intensity levels, channel picks). A
// single checkpoint is an ensemble of one: its probabilities come back
// unchanged (a sum of one divided by one).
#pragma once

#include <string>
#include <vector>

#include "data/expansion.h"
#include "data/manifest.h"
#include "models/checkpoint.h"
#include "train/checkpoint_eval.h"
#include "train/evaluate.h"
#include "train/operating_points.h"

namespace ctcscope {

// A checkpoint list as the command line gives it: "a.safetensors,b.safetensors".
std::vector<std::string> ensemble_paths(const std::string& comma_list);

// Every checkpoint loaded; they must agree on architecture, classes (the
// trainer's [leukocyte, ctc]), input size and main channel (BF or DAPI), and
// no file may be named twice. A mismatch names both files and both values.
// All members stay in memory (five ResNet50s: about 0.5 GB).
std::vector<Checkpoint> load_ensemble(const std::vector<std::string>& checkpoints);

// The members' mean CTC probability per item; truth from the items' labels
// and mean_loss the cross-entropy of the mean. Non-finite outputs of any
// member are an error naming that member and a cell. Calibration: each
// member's own temperature is applied before the vote, and ctc_logit_margin
// holds the logit of the mean calibrated probability, so the ensemble's
// temperature is 1 (ensemble_operating_points). An ensemble of one is that
// checkpoint's own predictions, margin and all, unchanged.
Predictions ensemble_predictions(std::vector<Checkpoint>& members, const std::vector<std::string>& checkpoints,
                                 const Manifest& manifest, const std::vector<TrainingItem>& items,
                                 int loader_threads = 2);
// An ensemble's operating points. One member: its stored ones. Several:
// temperature 1 (each member's was applied before the vote), and each
// threshold the mean of the members' (their average calibrated probability
// moves as theirs do) where every member stored operating points for one
// target sensitivity; otherwise none (0.5). `note` says which.
OperatingPoints ensemble_operating_points(const std::vector<Checkpoint>& members,
                                          const std::vector<std::string>& checkpoints, std::string* note);

// The same from the files: what the experiment's collect step calls with a
// configuration's best.safetensors of every seed and its test items.
Predictions ensemble_predictions(const std::vector<std::string>& checkpoints, const Manifest& manifest,
                                 const std::vector<TrainingItem>& items, int loader_threads = 2);

// An experiment configuration's ensemble on the test split: every run's
// best.safetensors voting on the test cells of the first run's split.csv.
// The split is fixed across seeds (split_seed), so every run's split.csv must
// hold the same bytes; one that differs is refused naming both files. What
// the experiment's collect step adds as the configuration's ensemble row
// beside mean +- std (ConfigScores{name + " (ensemble)", {e.metrics}}).
CheckpointEval evaluate_ensemble_runs(const std::vector<std::string>& run_dirs, const std::string& dataset_dir,
                                      double threshold = 0.5, int loader_threads = 2);

}  // namespace ctcscope
