// Grad-CAM over cells: images loaded as for prediction, maps in batches,
// the predict command's PNGs and the report gallery's picks.
#include "train/cell_saliency.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "data/loader.h"
#include "eval/saliency_overlay.h"
#include "models/checkpoint.h"
#include "models/grad_cam.h"
#include "train/run_folder.h"

namespace ctcscope {

namespace {

constexpr std::size_t kBatch = 16;
// kCtcLogOdds assumes classes {leukocyte, ctc}: checked by predict_cells and evaluate_checkpoint.
constexpr int kPngScale = 2;  // fed images are 64 to 148 px: doubled, a person sees the cell

std::string file_safe(const std::string& id) {
  std::string out = id;
  for (char& c : out) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) c = '_';
  }
  return out.empty() || out[0] == '.' ? "_" + out : out;
}

// The `per_group` items of `items` with the highest (descending) or lowest probability.
std::vector<std::size_t> most(std::vector<std::size_t> items, const std::vector<double>& p, bool highest,
                              std::size_t per_group) {
  std::stable_sort(items.begin(), items.end(),
                   [&](std::size_t a, std::size_t b) { return highest ? p[a] > p[b] : p[a] < p[b]; });
  if (items.size() > per_group) items.resize(per_group);
  return items;
}

}  // namespace

std::vector<CellSaliency> cell_saliency(Module& model, const Manifest& manifest, const std::vector<TrainingItem>& items,
                                        std::int64_t input_size, const CellImageSettings& images) {
  ConvClassifier& net = as_conv_classifier(model);
  const std::int64_t pixels = input_size * input_size;
  std::vector<CellSaliency> out;
  for (std::size_t start = 0; start < items.size(); start += kBatch) {
    const std::size_t n = std::min(kBatch, items.size() - start);
    Tensor x = Tensor::empty({static_cast<std::int64_t>(n), 3, input_size, input_size});
    for (std::size_t i = 0; i < n; ++i) {
      CellSaliency cell;
      cell.fed = load_resized(manifest, items[start + i], input_size, images);
      normalize_gray_to_chw(cell.fed, x.data<float>() + static_cast<std::int64_t>(i) * 3 * pixels);
      out.push_back(std::move(cell));
    }
    const std::vector<double> maps = grad_cam(net, x, kCtcLogOdds).to_double_vector();
    for (std::size_t i = 0; i < n; ++i) {
      const auto first = maps.begin() + static_cast<std::ptrdiff_t>(i) * pixels;
      out[start + i].map.assign(first, first + pixels);
    }
  }
  return out;
}

std::size_t write_saliency_pngs(const std::string& checkpoint, const Manifest& manifest, const std::string& dir) {
  Checkpoint ck = load_checkpoint(checkpoint);
  std::vector<TrainingItem> items(manifest.cells.size());
  for (std::size_t i = 0; i < items.size(); ++i) items[i].cell = static_cast<std::int64_t>(i);  // BF, as predict_cells
  std::map<std::string, std::string> ids_by_file;  // two ids one file name apart would overwrite each other
  for (const CellRecord& c : manifest.cells) {
    const auto [at, fresh] = ids_by_file.emplace(file_safe(c.cell_id), c.cell_id);
    CTC_CHECK_INPUT(fresh, "cells ", at->second, " and ", c.cell_id, " would both be saliency map ", dir, "/",
                    at->first, ".png");
  }
  make_dirs(dir);
  const CellImageSettings images = checkpoint_images(ck.info, checkpoint);
  std::size_t written = 0;
  // A batch at a time, so a large folder never holds every map at once.
  for (std::size_t start = 0; start < items.size(); start += kBatch) {
    const auto first = items.begin() + static_cast<std::ptrdiff_t>(start);
    const std::vector<TrainingItem> batch(first, first + static_cast<std::ptrdiff_t>(std::min(kBatch, items.size() - start)));
    const auto cells = cell_saliency(*ck.model, manifest, batch, ck.info.input_size, images);
    for (std::size_t i = 0; i < cells.size(); ++i) {
      const std::string& id = manifest.cells[static_cast<std::size_t>(batch[i].cell)].cell_id;
      save_png(dir + "/" + file_safe(id) + ".png", saliency_pair(cells[i].fed, cells[i].map, kPngScale));
      ++written;
    }
  }
  return written;
}

GalleryPicks gallery_picks(const CheckpointEval& e, std::size_t per_group) {
  const std::vector<double>& p = e.predictions.ctc_probability;
  std::vector<std::size_t> fp, fn, tp, tn;
  for (std::size_t i = 0; i < p.size(); ++i) {
    const bool ctc = e.predictions.truth[i] == 1, called = p[i] >= e.threshold;
    (ctc ? (called ? tp : fn) : (called ? fp : tn)).push_back(i);
  }
  return {most(fp, p, true, per_group), most(fn, p, false, per_group), most(tp, p, true, per_group),
          most(tn, p, false, per_group)};
}

std::vector<GalleryRow> saliency_gallery(const CheckpointEval& e, const std::string& dataset_dir,
                                         std::size_t per_group) {
  Checkpoint ck = load_checkpoint(e.checkpoint);
  const Manifest manifest = read_manifest(dataset_dir);
  const CellImageSettings images = checkpoint_images(ck.info, e.checkpoint);
  std::map<std::string, std::int64_t> index;
  for (std::size_t i = 0; i < manifest.cells.size(); ++i) index[manifest.cells[i].cell_id] = static_cast<std::int64_t>(i);
  const GalleryPicks picks = gallery_picks(e, per_group);
  const std::pair<const char*, const std::vector<std::size_t>*> groups[] = {
      {"Most confident false positives (leukocytes called CTC)", &picks.false_positives},
      {"Most confident false negatives (CTCs called leukocyte)", &picks.false_negatives},
      {"Most confident true CTC calls", &picks.true_ctc},
      {"Most confident true leukocyte calls", &picks.true_leukocytes}};
  std::vector<GalleryRow> rows;
  for (const auto& [title, picked] : groups) {
    GalleryRow row;
    row.title = title;
    std::vector<TrainingItem> items;
    for (std::size_t k : *picked) {
      const auto found = index.find(e.cell_ids[k]);
      CTC_CHECK_INPUT(found != index.end(), dataset_dir, ": cell ", e.cell_ids[k],
                      " of the evaluation is not in manifest.csv");
      TrainingItem item;
      item.cell = found->second;
      item.channel = main_channel(e.ablation);  // as the evaluation fed it
      items.push_back(item);
      char probability[32];
      std::snprintf(probability, sizeof probability, "%.3f", e.predictions.ctc_probability[k]);
      row.captions.push_back(e.cell_ids[k] + ": CTC probability " + probability);
    }
    row.cells = cell_saliency(*ck.model, manifest, items, e.input_size, images);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace ctcscope
