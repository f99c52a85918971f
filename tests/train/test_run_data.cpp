// Run data and configuration without training: the --max-cells subsample
// and config.json's round trip and checks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "data/manifest.h"
#include "data/synth.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "train/run_data.h"
#include "train/train_config.h"

namespace ctcscope {
namespace {

using test::expect_error_containing;
using test::tiny_config;

TEST(RunData, SubsampleKeepsEveryGroupAndIsSeeded) {
  SynthOptions o;
  o.spike_in = 40;
  o.patient_ctc = 6;
  o.patients = 2;
  o.leukocytes = 40;
  Manifest m;
  m.cells = synth_plan(o);
  const auto a = subsample_cells(m.cells, 30, 0);
  const auto b = subsample_cells(m.cells, 30, 0);
  EXPECT_NEAR(static_cast<double>(a.size()), 30.0, 3.0);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].cell_id, b[i].cell_id);
  std::int64_t patient_ctc = 0;
  for (const auto& c : a) patient_ctc += c.source == CellSource::patient && c.label == CellLabel::ctc;
  EXPECT_GE(patient_ctc, 1);
  EXPECT_EQ(subsample_cells(m.cells, 0, 0).size(), m.cells.size());
}

TEST(TrainConfig, JsonRoundTripAndChecks) {
  TrainConfig c = tiny_config("/tmp/x");
  c.weights = "w \"q\".pth";
  c.class_weights = ClassWeighting::balanced;
  const TrainConfig r = train_config_from_json(c.to_json(), "config.json");
  EXPECT_EQ(r.to_json(), c.to_json());
  c.model = "vgg16";
  expect_error_containing([&] { c.validate(); }, "unknown model 'vgg16'");
  // A GPU run is a valid configuration and keeps its device; whether a GPU
  // answers is the trainer's check (TrainerDevice.*).
  c = tiny_config("/tmp/x");
  c.device = Device::cuda;
  c.validate();
  EXPECT_EQ(train_config_from_json(c.to_json(), "config.json").device, Device::cuda);
  EXPECT_NE(c.identity_json(), tiny_config("/tmp/x").identity_json()) << "a CPU run must not resume on the GPU";
}

// Bad input table (README): an empty dataset and a dataset with one class.
TEST(RunData, EmptyDatasetOrOneClassIsRefused) {
  namespace fs = std::filesystem;
  const fs::path dir = ::ctcscope::test::scratch_root() / "ctcscope_test_run_data_one_class";
  fs::remove_all(dir);
  fs::create_directories(dir);
  write_manifest(dir.string(), {});
  expect_error_containing([&] { load_run_data(dir.string(), "stratified", 0, 1); },
                          dir.string() + "/manifest.csv: the manifest lists no cells");
  std::vector<CellRecord> cells;
  for (int i = 0; i < 12; ++i) {
    CellRecord c;
    c.cell_id = "l" + std::to_string(i);
    c.bf = c.cell_id + ".png";
    std::ofstream(dir / c.bf) << "x";  // only its existence is checked here
    cells.push_back(c);
  }
  write_manifest(dir.string(), cells);
  expect_error_containing([&] { load_run_data(dir.string(), "stratified", 0, 1); },
                          "manifest.csv: the training split (stratified) has 0 ctc and ");
  expect_error_containing([&] { load_run_data(dir.string(), "stratified", 0, 1); },
                          "training needs cells of both classes");
}

}  // namespace
}  // namespace ctcscope
