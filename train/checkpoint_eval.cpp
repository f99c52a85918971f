// Evaluating and applying a saved checkpoint.
#include "train/checkpoint_eval.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "data/image_file.h"
#include "eval/calibration.h"
#include "models/checkpoint.h"
#include "base/error.h"
#include "base/json.h"
#include "base/json_writer.h"
#include "train/ensemble.h"
#include "train/run_data.h"
#include "train/train_config.h"

namespace ctcscope {

Ablation checkpoint_ablation(const CheckpointInfo& info) {
  try {
    JsonValue v = json_parse(info.training_config, "training_config");
    const JsonValue* a = v.is_object() ? v.find("ablation") : nullptr;
    if (a && a->is_string()) return ablation_from_name(a->as_string());
  } catch (const Error&) {
  }
  return kDefaultAblation;
}

CellImageSettings checkpoint_images(const CheckpointInfo& info, const std::string& checkpoint) {
  CellImageSettings images;
  try {
    images.intensity = parse_intensity(info.intensity);
  } catch (const Error& e) {
    CTC_FAIL(checkpoint, ": unreadable intensity record: ", e.what());
  }
  const JsonValue v = json_parse(info.training_config, checkpoint + " training_config");
  if (!v.is_object()) return images;
  for (Channel channel : {Channel::bf, Channel::dapi}) {
    const std::string name = channel_name(channel);
    ImageReadOptions& read = images.read[static_cast<std::size_t>(channel)];
    if (const JsonValue* pick = v.find(name + "_channel"); pick && pick->is_string()) {
      read.channel = channel_pick_from_name(pick->as_string());
    }
    if (const JsonValue* page = v.find(name + "_page"); page && page->is_integer()) {
      read.page = static_cast<int>(page->as_integer());
    }
  }
  return images;
}

void check_finite(const Predictions& p, const std::string& checkpoint) {
  CTC_CHECK_INPUT(p.nonfinite == 0, checkpoint, ": the model's outputs are NaN or infinite for ", p.nonfinite,
                  " cells (first: ", p.first_nonfinite, "); the weights are damaged or diverged");
}

// The trainer writes classes {leukocyte, ctc}: logit 1 is the CTC score. A
// checkpoint with other classes or another order would give wrong
// probabilities without any sign, so it is refused.
void check_ctc_classes(const CheckpointInfo& info, const std::string& checkpoint) {
  const std::vector<std::string> expected = {"leukocyte", "ctc"};
  if (info.classes == expected) return;
  std::string got;
  for (const auto& c : info.classes) got += (got.empty() ? "" : ", ") + c;
  CTC_FAIL(checkpoint, ": checkpoint classes are [", got, "]; ctcscope needs [leukocyte, ctc] in that order");
}

namespace {

void confusion_json(JsonWriter& w, const std::vector<std::vector<std::int64_t>>& confusion) {
  w.begin_array();
  for (const auto& row : confusion) {
    w.begin_array();
    for (std::int64_t count : row) w.integer(count);
    w.end_array();
  }
  w.end_array();
}

}  // namespace

CheckpointEval evaluate_checkpoint(const std::vector<std::string>& checkpoints, const std::string& dataset_dir,
                                   const std::string& split_file, double threshold, ValidationCells validation,
                                   int loader_threads) {
  std::vector<Checkpoint> members = load_ensemble(checkpoints);
  const CheckpointInfo& info = members.front().info;
  CheckpointEval e;
  for (const auto& c : checkpoints) e.checkpoint += (e.checkpoint.empty() ? "" : ",") + c;
  e.architecture = info.architecture;
  e.ablation = checkpoint_ablation(info);
  e.input_size = info.input_size;
  e.threshold = threshold;
  RunData data;
  std::vector<std::int64_t> indices;
  if (split_file.empty()) {
    data.manifest = read_manifest(dataset_dir);
    for (std::size_t i = 0; i < data.manifest.cells.size(); ++i) indices.push_back(static_cast<std::int64_t>(i));
  } else {
    data = load_run_data(dataset_dir, split_file, 0, 0);
    indices = data.test;
  }
  CTC_CHECK_INPUT(!indices.empty(), split_file.empty() ? dataset_dir : split_file, ": no cells to evaluate");
  const auto items = evaluation_items(data.manifest.cells, indices, e.ablation);
  for (const auto& item : items) e.cell_ids.push_back(data.manifest.cells[static_cast<std::size_t>(item.cell)].cell_id);
  e.predictions = ensemble_predictions(members, checkpoints, data.manifest, items, loader_threads);
  std::string ensemble_note;  // calibration_line says the same for eval
  e.operating = ensemble_operating_points(members, checkpoints, &ensemble_note);
  e.calibrated_probability = calibrated_probabilities(e.predictions.ctc_logit_margin, e.operating.temperature);
  e.at_operating_points =
      metrics_at_operating_points(e.predictions.truth, e.calibrated_probability, e.operating, threshold);
  e.metrics = e.at_operating_points.front().metrics;
  e.auc = roc_auc(e.predictions.truth, e.predictions.ctc_probability);
  e.ece = expected_calibration_error(e.predictions.truth, e.predictions.ctc_probability);
  e.ece_calibrated = expected_calibration_error(e.predictions.truth, e.calibrated_probability);
  if (validation == ValidationCells::predict && !data.val.empty()) {
    const auto validation_items = evaluation_items(data.manifest.cells, data.val, e.ablation);
    e.validation = ensemble_predictions(members, checkpoints, data.manifest, validation_items, loader_threads);
  }
  return e;
}

Manifest folder_manifest(const std::string& folder) {
  namespace fs = std::filesystem;
  std::error_code ec;
  CTC_CHECK_INPUT(fs::is_directory(folder, ec), folder, ": not a folder");
  Manifest m;
  m.root = folder;
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    if (!entry.is_regular_file()) continue;
    std::string name = entry.path().filename().string();
    if (!is_image_file_name(name)) continue;
    std::string stem = name.substr(0, name.find_last_of('.'));
    std::transform(stem.begin(), stem.end(), stem.begin(), [](unsigned char c) { return std::tolower(c); });
    if (stem.size() >= 5 && stem.substr(stem.size() - 5) == "_dapi") continue;
    names.push_back(name);
  }
  CTC_CHECK_INPUT(!ec, folder, ": cannot list the folder: ", ec.message());
  std::sort(names.begin(), names.end());
  CTC_CHECK_INPUT(!names.empty(), folder, ": no .png, .tif or .tiff images (other than *_dapi.*) to predict");
  for (const auto& name : names) {
    CellRecord c;
    std::string id = name.substr(0, name.find_last_of('.'));
    if (id.size() > 3) {
      std::string tail = id.substr(id.size() - 3);
      std::transform(tail.begin(), tail.end(), tail.begin(), [](unsigned char ch) { return std::tolower(ch); });
      if (tail == "_bf") id.resize(id.size() - 3);
    }
    c.cell_id = id;
    c.bf = name;
    m.cells.push_back(c);
  }
  return m;
}

CellPredictions predict_cells(const std::vector<std::string>& checkpoints, const Manifest& manifest,
                              int loader_threads) {
  std::vector<Checkpoint> members = load_ensemble(checkpoints);
  const CheckpointInfo& info = members.front().info;
  CellPredictions out;
  if (main_channel(checkpoint_ablation(info)) == Channel::dapi) {
    out.note = "the model was trained with DAPI as its main channel (" +
               std::string(ablation_name(checkpoint_ablation(info))) + "); it is applied to BF images here";
  }
  std::vector<TrainingItem> items;
  for (std::size_t i = 0; i < manifest.cells.size(); ++i) {
    TrainingItem item;
    item.cell = static_cast<std::int64_t>(i);
    items.push_back(item);
    out.cell_ids.push_back(manifest.cells[i].cell_id);
  }
  const Predictions p = ensemble_predictions(members, checkpoints, manifest, items, loader_threads);
  std::string ensemble_note;
  out.operating = ensemble_operating_points(members, checkpoints, &ensemble_note);
  if (!ensemble_note.empty()) out.note += (out.note.empty() ? "" : "; ") + ensemble_note;
  out.ctc_probability = calibrated_probabilities(p.ctc_logit_margin, out.operating.temperature);
  return out;
}

std::string checkpoint_eval_json(const CheckpointEval& e) {
  const Metrics& m = e.metrics;
  JsonWriter w;
  w.begin_object();
  w.key("checkpoint").string(e.checkpoint);
  w.key("architecture").string(e.architecture);
  w.key("ablation").string(ablation_name(e.ablation));
  w.key("threshold").number(e.threshold);
  w.key("n").integer(m.n);
  w.key("accuracy").number(m.accuracy);
  w.key("macro_precision").number(m.macro_precision);
  w.key("macro_recall").number(m.macro_recall);
  w.key("macro_f1").number(m.macro_f1);
  w.key("sensitivity").number(m.sensitivity);
  w.key("specificity").number(m.specificity);
  w.key("roc_auc").number(e.auc);  // null where undefined (one class only), never a made-up 0
  w.key("confusion");
  confusion_json(w, m.confusion);
  // Probabilities and thresholds above are calibrated (T from the checkpoint, 1 for older ones).
  w.key("temperature").number(e.operating.temperature);
  w.key("ece").number(e.ece);
  w.key("ece_calibrated").number(e.ece_calibrated);
  w.key("validation_ece").number(e.operating.stored ? e.operating.validation_ece : std::nan(""));
  w.key("validation_ece_calibrated").number(e.operating.stored ? e.operating.validation_ece_calibrated : std::nan(""));
  w.key("operating_points").begin_array();
  for (const ThresholdMetrics& r : e.at_operating_points) {
    w.begin_object();
    w.key("name").string(r.name);
    w.key("threshold").number(r.threshold);
    w.key("accuracy").number(r.metrics.accuracy);
    w.key("macro_f1").number(r.metrics.macro_f1);
    w.key("sensitivity").number(r.metrics.sensitivity);
    w.key("specificity").number(r.metrics.specificity);
    w.key("confusion");
    confusion_json(w, r.metrics.confusion);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  return w.str();
}

}  // namespace ctcscope
