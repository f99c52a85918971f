// Loading, checking and averaging a seed ensemble.
#include "train/ensemble.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "base/file_util.h"
#include "base/split_list.h"
#include "eval/calibration.h"
#include "train/checkpoint_eval.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

std::string names(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return "[" + out + "]";
}

// What must agree between members for their probabilities to be of the same
// thing on the same images, printable for the error.
struct MemberKey {
  std::string what, value;
};
std::vector<MemberKey> member_key(const CheckpointInfo& info) {
  return {{"architecture", info.architecture},
          {"classes", names(info.classes)},
          {"input size", std::to_string(info.input_size)},
          {"main channel", channel_name(main_channel(checkpoint_ablation(info)))}};
}

}  // namespace

std::vector<std::string> ensemble_paths(const std::string& comma_list) {
  std::vector<std::string> paths = split_list(comma_list);
  for (const auto& p : paths) {
    CTC_CHECK_INPUT(!p.empty(), "checkpoint list '", comma_list, "' has an empty entry");
  }
  return paths;
}

std::vector<Checkpoint> load_ensemble(const std::vector<std::string>& checkpoints) {
  CTC_CHECK_INPUT(!checkpoints.empty(), "no checkpoint given");
  std::vector<Checkpoint> members;
  for (std::size_t k = 0; k < checkpoints.size(); ++k) {
    const auto twice = std::find(checkpoints.begin(), checkpoints.begin() + static_cast<std::ptrdiff_t>(k),
                                 checkpoints[k]);
    CTC_CHECK_INPUT(twice == checkpoints.begin() + static_cast<std::ptrdiff_t>(k), checkpoints[k],
                    ": named twice in the ensemble (its vote would count double)");
    members.push_back(load_checkpoint(checkpoints[k]));
    const auto first = member_key(members.front().info), mine = member_key(members.back().info);
    for (std::size_t f = 0; f < first.size(); ++f) {
      CTC_CHECK_INPUT(first[f].value == mine[f].value, "ensemble members differ in ", first[f].what, ": ",
                      checkpoints[0], " has ", first[f].value, ", ", checkpoints[k], " has ", mine[f].value,
                      " (an ensemble is one configuration's seeds)");
    }
    check_ctc_classes(members.back().info, checkpoints[k]);
  }
  return members;
}

Predictions ensemble_predictions(std::vector<Checkpoint>& members, const std::vector<std::string>& checkpoints,
                                 const Manifest& manifest, const std::vector<TrainingItem>& items,
                                 int loader_threads) {
  CTC_CHECK(members.size() == checkpoints.size() && !members.empty(), "ensemble: ", members.size(),
            " members for ", checkpoints.size(), " files");
  Predictions mean;
  mean.ctc_probability.assign(items.size(), 0.0);
  std::vector<double> calibrated(items.size(), 0.0);
  for (std::size_t k = 0; k < members.size(); ++k) {
    PredictOptions po;
    po.input_size = members[k].info.input_size;
    po.loader_threads = loader_threads;
    po.images = checkpoint_images(members[k].info, checkpoints[k]);
    const Predictions p = predict_items(*members[k].model, manifest, items, po);
    check_finite(p, checkpoints[k]);
    if (members.size() == 1) return p;
    mean.truth = p.truth;
    const double temperature = stored_operating_points(members[k].info, checkpoints[k]).temperature;
    const std::vector<double> member_calibrated = calibrated_probabilities(p.ctc_logit_margin, temperature);
    for (std::size_t i = 0; i < items.size(); ++i) {
      mean.ctc_probability[i] += p.ctc_probability[i];
      calibrated[i] += member_calibrated[i];
    }
  }
  mean.ctc_logit_margin.resize(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    const double q = calibrated[i] / static_cast<double>(members.size());
    mean.ctc_logit_margin[i] = std::log(q) - std::log1p(-q);  // +-inf at 0 or 1: sigmoid gives them back
  }
  double loss_sum = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    double& p = mean.ctc_probability[i];
    p /= static_cast<double>(members.size());
    // The mean of probabilities can round to exactly 0 or 1; the loss stays finite.
    const double p_truth = mean.truth[i] == 1 ? p : 1.0 - p;
    loss_sum -= std::log(std::max(p_truth, 1e-300));
  }
  mean.mean_loss = items.empty() ? 0.0 : loss_sum / static_cast<double>(items.size());
  return mean;
}

OperatingPoints ensemble_operating_points(const std::vector<Checkpoint>& members,
                                          const std::vector<std::string>& checkpoints, std::string* note) {
  if (members.size() == 1) return stored_operating_points(members[0].info, checkpoints[0]);
  OperatingPoints mean;  // temperature 1: each member's was applied before the vote
  mean.stored = true;
  mean.sensitivity_threshold = mean.youden_threshold = 0;
  std::string temperatures;
  for (std::size_t k = 0; k < members.size(); ++k) {
    const OperatingPoints p = stored_operating_points(members[k].info, checkpoints[k]);
    char t[32];
    std::snprintf(t, sizeof t, "%.4g", p.temperature);
    temperatures += (temperatures.empty() ? "" : ", ") + std::string(t);
    if (!p.stored || (k > 0 && p.target_sensitivity != mean.target_sensitivity)) mean.stored = false;
    if (k == 0) mean.target_sensitivity = p.target_sensitivity;
    mean.sensitivity_threshold += p.sensitivity_threshold / static_cast<double>(members.size());
    mean.youden_threshold += p.youden_threshold / static_cast<double>(members.size());
    mean.validation_cells = p.validation_cells;
  }
  *note = "an ensemble of " + std::to_string(members.size()) + ": each member's temperature (" + temperatures +
          ") applied before the vote; ";
  if (!mean.stored) {
    *note += "no stored thresholds (a member predates them, or their target sensitivities differ): 0.5";
    OperatingPoints none;
    none.members = static_cast<std::int64_t>(members.size());
    return none;
  }
  mean.members = static_cast<std::int64_t>(members.size());
  *note += "thresholds the means of the members'";
  return mean;
}

Predictions ensemble_predictions(const std::vector<std::string>& checkpoints, const Manifest& manifest,
                                 const std::vector<TrainingItem>& items, int loader_threads) {
  std::vector<Checkpoint> members = load_ensemble(checkpoints);
  return ensemble_predictions(members, checkpoints, manifest, items, loader_threads);
}

CheckpointEval evaluate_ensemble_runs(const std::vector<std::string>& run_dirs, const std::string& dataset_dir,
                                      double threshold, int loader_threads) {
  CTC_CHECK_INPUT(!run_dirs.empty(), "no runs to ensemble");
  std::vector<std::string> checkpoints;
  const RunPaths first{run_dirs.front()};
  const std::string split = read_file_bytes(first.split());
  for (const auto& dir : run_dirs) {
    const RunPaths paths{dir};
    CTC_CHECK_INPUT(read_file_bytes(paths.split()) == split, paths.split(), " and ", first.split(),
                    " hold different splits: an ensemble is tested on one test split");
    checkpoints.push_back(paths.best());
  }
  return evaluate_checkpoint(checkpoints, dataset_dir, first.split(), threshold, ValidationCells::skip,
                             loader_threads);
}

}  // namespace ctcscope
