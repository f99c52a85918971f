// Where the network looked, cell by cell: Grad-CAM maps of the CTC log-odds
// (models/grad_cam.h: kCtcLogOdds) over the images as the network was fed them, for
// `predict --saliency DIR` and the eval report's gallery.
#pragma once

#include <string>
#include <vector>

#include "data/image.h"
#include "train/checkpoint_eval.h"

namespace ctcscope {

struct CellSaliency {
  Image fed;                // gray [1,S,S]: decoded, intensity stage, resized (before ImageNet normalisation)
  std::vector<double> map;  // S*S, Grad-CAM of the CTC log-odds at the image's size
};

// One per item, in order, in eval mode. The model must be a ConvClassifier.
std::vector<CellSaliency> cell_saliency(Module& model, const Manifest& manifest, const std::vector<TrainingItem>& items,
                                        std::int64_t input_size, const CellImageSettings& images);

// predict --saliency: DIR/<cell id>.png for every cell of the manifest, its
// BF image as fed beside the map laid over it (each through a temporary
// name). Characters of a cell id outside [A-Za-z0-9._-] become '_'; two ids
// that would share a file are refused before anything is written. Returns
// the number of files written.
std::size_t write_saliency_pngs(const std::string& checkpoint, const Manifest& manifest, const std::string& dir);

// The gallery's cells, indices into e.cell_ids: the most confident false
// positives (highest CTC probability) and false negatives (lowest), and the
// most confident true CTC and true leukocyte calls, at most `per_group` each.
struct GalleryPicks {
  std::vector<std::size_t> false_positives, false_negatives, true_ctc, true_leukocytes;
};
GalleryPicks gallery_picks(const CheckpointEval& e, std::size_t per_group = 4);

// A row of the report per group: each picked cell as fed beside its map,
// captioned with its id and CTC probability. dataset_dir: the manifest e was
// evaluated on.
struct GalleryRow {
  std::string title;
  std::vector<std::string> captions;
  std::vector<CellSaliency> cells;
};
std::vector<GalleryRow> saliency_gallery(const CheckpointEval& e, const std::string& dataset_dir,
                                         std::size_t per_group = 4);

}  // namespace ctcscope
