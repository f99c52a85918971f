// ctcscope predict: CTC probabilities and calls for new cells' BF images.
#include <cstdio>
#include <string>

#include "base/csv.h"
#include "base/file_util.h"
#include "data/manifest.h"
#include "train/cell_saliency.h"
#include "train/checkpoint_eval.h"
#include "train/ensemble.h"
#include "train/group_report.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_predict(const Argv& argv) {
  Args args("predict",
            "Applies a checkpoint to new cells' bright-field images and writes a CSV of\n"
            "cell_id, ctc_probability (calibrated by the checkpoint's temperature) and call\n"
            "(ctc or leukocyte at the threshold: by default the checkpoint's, chosen on\n"
            "validation for a target CTC sensitivity), then prints how many cells were called\n"
            "each way. The cells: a dataset's manifest\n"
            "(--manifest DIR; its labels are ignored) or every .png/.tif/.tiff image of a folder\n"
            "(--folder DIR; *_dapi.* skipped, cell id = file name without its extension and a\n"
            "trailing _bf). Several checkpoints, comma-separated (an experiment's seeds), vote:\n"
            "their probabilities are averaged.");
  args.option("manifest", "DIR", "", "a dataset folder with manifest.csv");
  args.option("folder", "DIR", "", "a folder of BF images (.png, .tif, .tiff)");
  args.option("out", "FILE", "", "the predictions CSV (required)");
  args.option("threshold", "P", "",
              "call CTC where its calibrated probability is at least P (default: the checkpoint's\n"
              "                            threshold for its training's --target-sensitivity; 0.5 for older\n"
              "                            checkpoints)");
  args.option("group-by", "COLUMN", "",
              "also count CTCs per group of a manifest column (patient, sample, ...): OUT_by_COLUMN.csv\n"
              "                            and .html with cells, CTCs called and the expected count with its 95% interval");
  args.option("saliency", "DIR", "",
              "also write DIR/<cell id>.png: each cell's BF image as fed beside its Grad-CAM\n"
              "                            map of the CTC log-odds (where the network looked; one checkpoint)");
  add_threads_option(args);
  args.example("ctcscope predict runs/r50/best.safetensors --folder new_cells/ --out predictions.csv");
  args.example("ctcscope predict runs/r50/best.safetensors --manifest data/synth --out p.csv --threshold 0.8");
  args.example("ctcscope predict runs/r50/best.safetensors --folder new_cells/ --out p.csv --threshold 0.5  # the paper");
  args.example("ctcscope predict runs/paper/resnet50_BF_DAPI_seed0/best.safetensors,runs/paper/resnet50_BF_DAPI_seed1/best.safetensors "
               "--manifest new_patients --out p.csv --group-by patient");
  args.example("ctcscope predict runs/r50/best.safetensors --folder new_cells/ --out p.csv --saliency p_maps/");
  args.positional("CHECKPOINT", "a .safetensors checkpoint (a run's best.safetensors), or several comma-separated");
  if (!args.parse(argv)) return 0;
  const std::string checkpoint = args.get_positional("CHECKPOINT");
  const std::string manifest_dir = args.get("manifest"), folder = args.get("folder"), out = args.get("out");
  usage_check(manifest_dir.empty() != folder.empty(), "give exactly one of --manifest DIR and --folder DIR");
  usage_check(!out.empty(), "missing --out FILE");
  const bool threshold_given = !args.get("threshold").empty();
  const double given_threshold = threshold_given ? args.get_double("threshold", 0.0, 1.0) : 0.0;
  apply_threads_option(args);
  const std::string group_by = args.get("group-by");
  usage_check(group_by.empty() || folder.empty(), "--group-by needs --manifest DIR (a folder of images has no columns)");
  usage_check(args.get("saliency").empty() || ensemble_paths(checkpoint).size() == 1,
              "--saliency takes one checkpoint (an ensemble's members each look elsewhere)");
  const Manifest cells = folder.empty() ? read_manifest(manifest_dir) : folder_manifest(folder);
  if (!group_by.empty()) manifest_column(cells, group_by);  // a column the manifest lacks stops it here
  const CellPredictions p = predict_cells(ensemble_paths(checkpoint), cells);
  std::string source = "--threshold";
  const double threshold = threshold_given ? given_threshold : default_threshold(p.operating, source);
  if (!p.note.empty()) std::printf("predict: note: %s\n", p.note.c_str());
  std::string csv = "cell_id,ctc_probability,call\n";
  std::size_t ctc = 0;
  for (std::size_t i = 0; i < p.cell_ids.size(); ++i) {
    const bool is_ctc = p.ctc_probability[i] >= threshold;
    ctc += is_ctc;
    char prob[32];
    std::snprintf(prob, sizeof prob, "%.6f", p.ctc_probability[i]);
    csv += csv_line({p.cell_ids[i], prob, is_ctc ? "ctc" : "leukocyte"});
  }
  write_file_atomic(out, csv);
  std::printf("predict: %zu cells from %s: %zu called ctc, %zu leukocyte (threshold %.6f: %s) -> %s\n",
              p.cell_ids.size(), folder.empty() ? manifest_dir.c_str() : folder.c_str(), ctc, p.cell_ids.size() - ctc,
              threshold, source.c_str(), out.c_str());
  if (p.operating.members == 1) {  // an ensemble's calibration is in its note
    std::printf("predict: ctc_probability is calibrated, T = %.4g (%s)\n", p.operating.temperature,
                p.operating.stored ? "fitted on the validation split" : "1: the checkpoint predates calibration");
  }
  if (!group_by.empty()) {
    for (const auto& path : write_group_report(out, group_by, cells, p.ctc_probability, threshold, checkpoint)) {
      std::printf("wrote %s\n", path.c_str());
    }
  }
  if (const std::string dir = args.get("saliency"); !dir.empty()) {
    std::printf("predict: wrote %zu saliency maps -> %s\n", write_saliency_pngs(checkpoint, cells, dir), dir.c_str());
  }
  return 0;
}

}  // namespace ctcscope::cli
