// The report of an evaluated checkpoint that a person looks at rather than
// reads: PNG plots (the training curves from the run's metrics.csv, the
// confusion matrix, the ROC and precision-recall curves with the operating
// points marked, the reliability diagrams) and one self-contained HTML file
// showing the metrics, the calibration and the operating points beside them,
// and a gallery of cells beside their Grad-CAM maps.
#pragma once

#include <string>
#include <vector>

#include "train/cell_saliency.h"
#include "train/checkpoint_eval.h"

namespace ctcscope {

// Writes out_dir/confusion.png, roc.png (the operating points marked),
// pr.png, reliability.png (before and after the temperature),
// reliability_val.png where the validation cells were evaluated, report.html
// and, when metrics_csv names an existing file, curves.png. Returns the
// paths written. The gallery's rows (saliency_gallery) are shown in the
// page only.
std::vector<std::string> write_run_report(const std::string& out_dir, const CheckpointEval& e,
                                          const std::string& metrics_csv, const std::vector<GalleryRow>& gallery = {});

}  // namespace ctcscope
