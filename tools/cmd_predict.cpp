// ctcscope predict: CTC probabilities and calls for new cells' BF images.
#include <cstdio>
#include <string>

#include "base/csv.h"
#include "base/file_util.h"
#include "data/manifest.h"
#include "train/cell_saliency.h"
#include "train/checkpoint_eval.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_predict(const Argv& argv) {
  Args args("predict",
            "Applies a checkpoint to new cells' bright-field images and writes a CSV of\n"
            "cell_id, ctc_probability and call (ctc or leukocyte at the threshold), then\n"
            "prints how many cells were called each way. The cells: a dataset's manifest\n"
            "(--manifest DIR; its labels are ignored) or every .png/.tif/.tiff image of a folder\n"
            "(--folder DIR; *_dapi.* skipped, cell id = file name without its extension and a\n"
            "trailing _bf).");
  args.option("manifest", "DIR", "", "a dataset folder with manifest.csv");
  args.option("folder", "DIR", "", "a folder of BF images (.png, .tif, .tiff)");
  args.option("out", "FILE", "", "the predictions CSV (required)");
  args.option("threshold", "P", "0.5", "call CTC where its probability is at least P");
  args.option("saliency", "DIR", "",
              "also write DIR/<cell id>.png: each cell's BF image as fed beside its Grad-CAM\n"
              "                            map of the CTC log-odds (where the network looked)");
  add_threads_option(args);
  args.example("ctcscope predict runs/r50/best.safetensors --folder new_cells/ --out predictions.csv");
  args.example("ctcscope predict runs/r50/best.safetensors --manifest data/synth --out p.csv --threshold 0.8");
  args.example("ctcscope predict runs/r50/best.safetensors --folder new_cells/ --out p.csv --saliency p_maps/");
  args.positional("CHECKPOINT", "a .safetensors checkpoint (a run's best.safetensors)");
  if (!args.parse(argv)) return 0;
  const std::string checkpoint = args.get_positional("CHECKPOINT");
  const std::string manifest_dir = args.get("manifest"), folder = args.get("folder"), out = args.get("out");
  usage_check(manifest_dir.empty() != folder.empty(), "give exactly one of --manifest DIR and --folder DIR");
  usage_check(!out.empty(), "missing --out FILE");
  const double threshold = args.get_double("threshold", 0.0, 1.0);
  apply_threads_option(args);
  const Manifest cells = folder.empty() ? read_manifest(manifest_dir) : folder_manifest(folder);
  const CellPredictions p = predict_cells(checkpoint, cells);
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
  std::printf("predict: %zu cells from %s: %zu called ctc, %zu leukocyte (threshold %g) -> %s\n", p.cell_ids.size(),
              folder.empty() ? manifest_dir.c_str() : folder.c_str(), ctc, p.cell_ids.size() - ctc, threshold,
              out.c_str());
  if (const std::string dir = args.get("saliency"); !dir.empty()) {
    std::printf("predict: wrote %zu saliency maps -> %s\n", write_saliency_pngs(checkpoint, cells, dir), dir.c_str());
  }
  return 0;
}

}  // namespace ctcscope::cli
