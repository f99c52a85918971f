// ctcscope eval: a checkpoint's metrics on a run's test split or on every
// cell of a manifest.
#include <cstdio>
#include <string>

#include "base/csv.h"
#include "base/file_util.h"
#include "train/cell_saliency.h"
#include "train/checkpoint_eval.h"
#include "train/ensemble.h"
#include "train/run_folder.h"
#include "train/run_report.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_eval(const Argv& argv) {
  Args args("eval",
            "Runs a checkpoint over labelled cells and prints accuracy, macro precision,\n"
            "recall and F1 (the paper's figures), CTC sensitivity and specificity, ROC AUC and\n"
            "the confusion matrix; then the calibration (the checkpoint's temperature, ECE before\n"
            "and after) and the metrics at the checkpoint's operating points, chosen on validation.\n"
            "Probabilities are calibrated. The cells: the test split of a run (--split-file\n"
            "RUN_DIR/split.csv) or every cell of the manifest (--all). The image channel is\n"
            "the checkpoint's main one (BF; DAPI for DAPI_* ablations). Several checkpoints,\n"
            "comma-separated (an experiment's seeds), vote: their probabilities are averaged.");
  args.option("split-file", "FILE", "", "a run's split.csv: evaluate its test cells");
  args.flag("all", "evaluate every cell of the manifest");
  args.option("threshold", "P", "0.5",
              "call CTC where its (calibrated) probability is at least P; the checkpoint's stored\n"
              "                            thresholds (target sensitivity, Youden's J) are reported beside it");
  args.option("out", "DIR", "",
              "also write DIR/eval.json, eval_predictions.csv and a report: report.html with\n"
              "                            curves.png (from the run's metrics.csv), confusion.png, roc.png (operating\n"
              "                            points marked), pr.png, reliability.png and, with --split-file,\n"
              "                            reliability_val.png (the validation cells, where T was fitted), and a\n"
              "                            gallery of the most confident errors and true calls beside their Grad-CAM maps");
  add_threads_option(args);
  args.example("ctcscope eval runs/r50/best.safetensors data/synth --split-file runs/r50/split.csv");
  args.example("ctcscope eval runs/r50/best.safetensors data/other_lab --all --out runs/r50/other_lab");
  args.example("ctcscope eval runs/e/resnet18_BF_DAPI_seed0/best.safetensors,runs/e/resnet18_BF_DAPI_seed1/best.safetensors "
               "data/synth --split-file runs/e/resnet18_BF_DAPI_seed0/split.csv");
  args.positional("CHECKPOINT", "a .safetensors checkpoint (a run's best.safetensors), or several comma-separated");
  args.positional("DATASET_DIR", "a folder with manifest.csv");
  if (!args.parse(argv)) return 0;
  const std::string checkpoint = args.get_positional("CHECKPOINT"), dataset = args.get_positional("DATASET_DIR");
  const bool all = args.has("all");
  const std::string split_file = args.get("split-file");
  usage_check(all != !split_file.empty(), "give exactly one of --split-file FILE and --all");
  const double threshold = args.get_double("threshold", 0.0, 1.0);
  apply_threads_option(args);
  const std::vector<std::string> members = ensemble_paths(checkpoint);
  // The validation cells' reliability diagram is in the report only.
  const CheckpointEval e = evaluate_checkpoint(members, dataset, split_file, threshold,
                                               args.get("out").empty() ? ValidationCells::skip : ValidationCells::predict);
  std::printf("eval: %s (%s, trained with %s, input %lld) on %s cells of %s, %s images, threshold %g\n",
              checkpoint.c_str(), e.architecture.c_str(), ablation_name(e.ablation),
              static_cast<long long>(e.input_size), all ? "all" : "the test", dataset.c_str(),
              channel_name(main_channel(e.ablation)), threshold);
  std::printf("%s", metrics_table(e.metrics, e.auc).c_str());
  std::printf("%s", operating_points_summary(e.operating, e.ece, e.ece_calibrated, e.at_operating_points).c_str());
  const std::string out = args.get("out");
  if (!out.empty()) {
    make_dirs(out);
    std::string csv = "cell_id,truth,ctc_probability,call\n";
    for (std::size_t i = 0; i < e.cell_ids.size(); ++i) {
      char p[32];
      std::snprintf(p, sizeof p, "%.6f", e.calibrated_probability[i]);
      csv += csv_line({e.cell_ids[i], e.predictions.truth[i] ? "ctc" : "leukocyte", p,
                       e.calibrated_probability[i] >= threshold ? "ctc" : "leukocyte"});
    }
    write_file_atomic(out + "/eval.json", checkpoint_eval_json(e));
    write_file_atomic(out + "/eval_predictions.csv", csv);
    std::printf("wrote %s/eval.json and %s/eval_predictions.csv\n", out.c_str(), out.c_str());
    // The run's per-epoch metrics sit beside its checkpoint (an ensemble's first).
    const auto slash = members.front().find_last_of('/');
    const std::string run_dir = slash == std::string::npos ? "." : members.front().substr(0, slash);
    // Grad-CAM explains one network: an ensemble's report has no gallery.
    const std::vector<GalleryRow> gallery = members.size() == 1 ? saliency_gallery(e, dataset) : std::vector<GalleryRow>{};
    for (const std::string& path : write_run_report(out, e, run_dir + "/metrics.csv", gallery)) {
      std::printf("wrote %s\n", path.c_str());
    }
  }
  return 0;
}

}  // namespace ctcscope::cli
