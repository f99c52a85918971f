// Why the intensity stage exists, as a training record: the same generated
// cells written as 8-bit files and as a 12-bit camera's 16-bit files (a few
// percent of the range) train to about the same validation macro F1 through
// the default stage, while the old behaviour (intensity none: samples as
// decoded) leaves the 16-bit network at chance: it is fed a black square and
// augmented copies that are a different picture. Slow: three small trainings.
#include <gtest/gtest.h>

#include <filesystem>

#include "data/synth.h"
#include "tests/support/test_util.h"
#include "train/trainer.h"

namespace ctcscope {
namespace {

std::string twin_dataset(int bit_depth) {
  const std::string dir = test::fresh_test_dir("intensity_twin_" + std::to_string(bit_depth));
  SynthOptions o;
  o.spike_in = 130;  // 240 cells in the paper's proportions
  o.patient_ctc = 14;
  o.patients = 3;
  o.leukocytes = 96;
  o.seed = 5;
  o.bit_depth = bit_depth;
  o.camera_bits = bit_depth == 16 ? 12 : 0;
  synth_dataset(dir, o);
  return dir;
}

double best_val_macro_f1(const std::string& data, const std::string& intensity, const std::string& name) {
  TrainConfig c;
  c.dataset_dir = data;
  c.out_dir = test::fresh_test_dir("intensity_run_" + name);
  std::filesystem::remove_all(c.out_dir);
  c.model = "resnet18";
  c.ablation = Ablation::bf_dapi;  // the method: augmented BF copies and the DAPI image
  c.epochs = 4;
  c.batch = 32;
  c.lr = 1e-3;
  c.input_size = 32;
  c.seed = 0;
  c.patience = 0;
  c.intensity = intensity;
  const TrainOutcome out = train_run(c, false, "test", {});
  EXPECT_EQ(out.epochs_completed, 4) << name << ": " << out.message;
  return out.best_val_macro_f1;
}

TEST(IntensityTraining, EightAndSixteenBitFilesOfTheSameCellsTrainAlikeThroughTheDefaultStage) {
  const std::string eight = twin_dataset(8), sixteen = twin_dataset(16);
  const double f1_8 = best_val_macro_f1(eight, kDefaultIntensity, "8_default");
  const double f1_16 = best_val_macro_f1(sixteen, kDefaultIntensity, "16_default");
  const double f1_16_none = best_val_macro_f1(sixteen, "none", "16_none");
  std::printf("validation macro F1: 8-bit %.3f, 16-bit %.3f (%s); 16-bit as decoded %.3f\n", f1_8, f1_16,
              kDefaultIntensity, f1_16_none);
  // The same cells and seed, inputs alike to a few hundredths: within the
  // noise of a validation split of a few dozen cells (one cell moves macro
  // F1 by about 0.03).
  EXPECT_NEAR(f1_16, f1_8, 0.15);
  // Samples as decoded: every prediction one class (macro F1 at most 0.5),
  // well below the same files through the stage.
  EXPECT_LE(f1_16_none, 0.5);
  EXPECT_GT(f1_16, f1_16_none + 0.15);
}

}  // namespace
}  // namespace ctcscope
