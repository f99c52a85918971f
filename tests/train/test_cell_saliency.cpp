// Saliency over cells: the gallery's picks, predict's PNGs (one per cell,
// the right size, ids made file-safe, clashing ids refused before writing)
// and the eval report's gallery, on a random ResNet18 checkpoint and a few
// written cells (the maps' meaning is tested in tests/models).
#include <gtest/gtest.h>

#include <filesystem>

#include "base/file_util.h"
#include "data/png.h"
#include "models/checkpoint.h"
#include "models/registry.h"
#include "tests/support/test_util.h"
#include "train/cell_saliency.h"
#include "train/run_report.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;
constexpr std::int64_t kInput = 64;

// dir/manifest.csv with `n` cells alternating leukocyte, ctc (ids "cell/0",
// "cell/1", ...: not file-safe), BF images of different brightness, and
// dir/model.safetensors: a random ResNet18 at kInput.
std::string make_cells_and_checkpoint(const std::string& name, int n) {
  const std::string dir = test::fresh_test_dir(name);
  std::vector<CellRecord> cells;
  for (int i = 0; i < n; ++i) {
    Image bf(1, 40, 48);
    for (std::int64_t y = 0; y < 40; ++y) {
      for (std::int64_t x = 0; x < 48; ++x) bf.at(0, y, x) = static_cast<float>((x * (i + 1) + y) % 50) / 50.0f;
    }
    const std::string file = "c" + std::to_string(i) + "_bf.png";
    write_png(dir + "/" + file, bf);
    CellRecord c;
    c.cell_id = "cell/" + std::to_string(i);
    c.label = i % 2 ? CellLabel::ctc : CellLabel::leukocyte;
    c.source = i % 2 ? CellSource::spike_in : CellSource::healthy;
    c.bf = file;
    cells.push_back(c);
  }
  write_manifest(dir, cells);
  auto model = make_model("resnet18", 2, 4);
  CheckpointInfo info;
  info.architecture = "resnet18";
  info.classes = {"leukocyte", "ctc"};
  info.input_size = kInput;
  save_checkpoint(dir + "/model.safetensors", *model, info);
  return dir;
}

TEST(GalleryPicks, TakesTheMostConfidentOfEachGroup) {
  CheckpointEval e;
  e.threshold = 0.5;
  e.predictions.truth = {0, 0, 0, 1, 1, 1, 0, 1};
  e.predictions.ctc_probability = {0.9, 0.6, 0.1, 0.2, 0.4, 0.95, 0.3, 0.7};
  const GalleryPicks p = gallery_picks(e, 2);
  EXPECT_EQ(p.false_positives, (std::vector<std::size_t>{0, 1}));  // 0.9 before 0.6
  EXPECT_EQ(p.false_negatives, (std::vector<std::size_t>{3, 4}));  // 0.2 before 0.4
  EXPECT_EQ(p.true_ctc, (std::vector<std::size_t>{5, 7}));
  EXPECT_EQ(p.true_leukocytes, (std::vector<std::size_t>{2, 6}));
  EXPECT_EQ(gallery_picks(e, 1).false_positives, (std::vector<std::size_t>{0}));
}

TEST(WriteSaliencyPngs, OneFilePerCellTheCellBesideItsMap) {
  const std::string dir = make_cells_and_checkpoint("saliency_pngs", 3);
  const std::string out = dir + "/maps";
  EXPECT_EQ(write_saliency_pngs(dir + "/model.safetensors", read_manifest(dir), out), 3u);
  for (int i = 0; i < 3; ++i) {
    const Image png = read_png(out + "/cell_" + std::to_string(i) + ".png");
    EXPECT_EQ(png.height, 2 * kInput) << "doubled for a person to see";
    EXPECT_GT(png.width, 4 * kInput) << "two copies side by side";
  }
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(out)) files += entry.path().extension() == ".png";
  EXPECT_EQ(files, 3u) << "no temporary files left";
}

TEST(WriteSaliencyPngs, RefusesIdsThatWouldShareAFileBeforeWriting) {
  const std::string dir = make_cells_and_checkpoint("saliency_clash", 2);
  Manifest m = read_manifest(dir);
  m.cells[1].cell_id = "cell_0";  // "cell/0" is written as cell_0.png too
  test::expect_error_containing([&] { write_saliency_pngs(dir + "/model.safetensors", m, dir + "/maps"); },
                                "cell_0.png");
  EXPECT_FALSE(fs::exists(dir + "/maps"));
}

TEST(SaliencyGallery, ShowsEachGroupInTheReport) {
  const std::string dir = make_cells_and_checkpoint("saliency_gallery", 6);
  const CheckpointEval e = evaluate_checkpoint(dir + "/model.safetensors", dir, "", 0.5);
  const std::vector<GalleryRow> rows = saliency_gallery(e, dir, 2);
  ASSERT_EQ(rows.size(), 4u);
  const GalleryPicks picks = gallery_picks(e, 2);
  EXPECT_EQ(rows[0].cells.size(), picks.false_positives.size());
  EXPECT_EQ(rows[1].cells.size(), picks.false_negatives.size());
  std::size_t shown = 0;
  for (const GalleryRow& row : rows) {
    ASSERT_EQ(row.captions.size(), row.cells.size());
    for (const CellSaliency& c : row.cells) {
      EXPECT_EQ(c.fed.height, kInput);
      EXPECT_EQ(c.map.size(), static_cast<std::size_t>(kInput * kInput));
    }
    shown += row.cells.size();
  }
  // 3 leukocytes and 3 CTCs, each group at most 2: at least 2 of each class shown.
  EXPECT_EQ(shown, picks.false_positives.size() + picks.false_negatives.size() + picks.true_ctc.size() +
                       picks.true_leukocytes.size());
  EXPECT_GE(shown, 4u);
  const std::string out = dir + "/report";
  fs::create_directories(out);
  write_run_report(out, e, "", rows);
  const std::string html = read_file_bytes(out + "/report.html");
  EXPECT_NE(html.find("Where the network looked"), std::string::npos);
  for (const GalleryRow& row : rows) {
    for (const std::string& caption : row.captions) EXPECT_NE(html.find(caption), std::string::npos) << caption;
  }
}

}  // namespace
}  // namespace ctcscope
