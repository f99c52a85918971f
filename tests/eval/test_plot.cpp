// Plots: they render without throwing, put ink where expected, and encode to
// PNG. Set CTC_PLOT_DIR to keep the PNG files for a look.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "data/png.h"
#include "eval/plot.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

void maybe_save(const Raster& r, const char* name) {
  if (const char* dir = std::getenv("CTC_PLOT_DIR")) save_png(std::string(dir) + "/" + name, r);
}

int ink_pixels(const Raster& r) {
  int n = 0;
  for (int y = 0; y < r.height; ++y) {
    for (int x = 0; x < r.width; ++x) {
      const Rgb c = r.at(x, y);
      n += c.r != 255 || c.g != 255 || c.b != 255;
    }
  }
  return n;
}

TEST(Plot, TextAndPngSignature) {
  Raster r(60, 20);
  r.text(1, 1, "F1 0.9", {0, 0, 0}, 1);
  EXPECT_GT(ink_pixels(r), 20);
  EXPECT_EQ(Raster::text_width("abc", 2), 34);
  const auto png = encode_png(r);
  ASSERT_GT(png.size(), 8u);
  EXPECT_EQ(png[1], 'P');
  EXPECT_EQ(png[2], 'N');
  EXPECT_EQ(png[3], 'G');
}

TEST(Plot, TrainingCurves) {
  std::vector<double> loss, f1;
  for (int e = 0; e < 30; ++e) {
    loss.push_back(0.7 * std::exp(-e / 8.0) + 0.05);
    f1.push_back(0.95 - 0.45 * std::exp(-e / 6.0));
  }
  const Raster r = training_curves_plot(loss, f1, "ResNet50, seed 1");
  EXPECT_EQ(r.width, 640);
  EXPECT_GT(ink_pixels(r), 2000);
  maybe_save(r, "training.png");
}

TEST(Plot, ConfusionMatrix) {
  const Raster r = confusion_matrix_plot({{85, 5}, {3, 7}});
  EXPECT_GT(ink_pixels(r), 10000);
  maybe_save(r, "confusion.png");
}

TEST(Plot, Roc) {
  const std::vector<std::int64_t> y{0, 0, 1, 1, 0, 1, 0, 1, 1, 0, 0, 1};
  const std::vector<double> s{0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.2, 0.9, 0.1, 0.65, 0.3, 0.7};
  const Raster r = roc_plot(roc_curve(y, s), roc_auc(y, s));
  // The curve's colour is present.
  bool red = false;
  for (int yy = 0; yy < r.height && !red; ++yy) {
    for (int x = 0; x < r.width && !red; ++x) red = r.at(x, yy).r == 214 && r.at(x, yy).g == 39;
  }
  EXPECT_TRUE(red);
  maybe_save(r, "roc.png");
}

// The square plots map [0, 1] onto pixels 70..455 (x) and 425..40 (y).
int square_px(double x) { return static_cast<int>(std::lround(70 + x * 385)); }
int square_py(double y) { return static_cast<int>(std::lround(425 - y * 385)); }
bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }

TEST(Plot, RocMarksSitAtTheirRates) {
  const std::vector<std::int64_t> y{0, 1, 1, 0};
  const std::vector<double> s{0.1, 0.8, 0.6, 0.7};
  const Rgb mark{1, 2, 3};
  const Raster r = roc_plot(roc_curve(y, s), roc_auc(y, s), "ROC", {{"sensitivity 0.95", 0.25, 0.75, mark}});
  EXPECT_TRUE(same(r.at(square_px(0.25), square_py(0.75)), mark));
  EXPECT_FALSE(same(r.at(square_px(0.6), square_py(0.2)), mark));
  maybe_save(r, "roc_marked.png");
}

TEST(Plot, PrecisionRecallDrawsTheCurveAndTheShareOfPositives) {
  const std::vector<std::int64_t> y{0, 1, 1, 0, 1};
  const std::vector<double> s{0.1, 0.8, 0.6, 0.7, 0.3};
  const Raster r = precision_recall_plot(precision_recall_curve(y, s), 0.6, {{"youden", 2.0 / 3, 2.0 / 3, {9, 9, 9}}});
  EXPECT_TRUE(same(r.at(square_px(2.0 / 3), square_py(2.0 / 3)), (Rgb{9, 9, 9})));
  int blue = 0, gray_at_share = 0;
  for (int yy = 0; yy < r.height; ++yy) {
    for (int x = 0; x < r.width; ++x) blue += same(r.at(x, yy), Rgb{31, 119, 180});
  }
  for (int x = square_px(0.0); x <= square_px(1.0); ++x) {
    gray_at_share += same(r.at(x, square_py(0.6)), Rgb{120, 120, 120});
  }
  EXPECT_GT(blue, 100);
  EXPECT_GT(gray_at_share, 100);  // dashed: about half the width
  maybe_save(r, "pr.png");
}

// A non-empty bin is a point at (mean probability, fraction of positives);
// an empty one draws nothing, so no segment runs to (NaN, NaN).
TEST(Plot, ReliabilityPointsAtTheirBins) {
  const auto bins = reliability_bins({0, 1, 1, 0}, {0.48, 0.52, 0.9, 0.1});
  const Rgb c{5, 6, 7};
  const Raster r = reliability_plot({{"before", bins, c}});
  for (const ReliabilityBin& b : bins) {
    if (b.count == 0) continue;
    // fill_rect's corners are truncated, not rounded.
    const int x = static_cast<int>(70 + b.mean_probability * 385), y = static_cast<int>(425 - b.fraction_positive * 385);
    EXPECT_TRUE(same(r.at(x, y), c)) << b.lower;
  }
  maybe_save(r, "reliability.png");
}

// save_png goes through AtomicFile: a temporary name of its own (the old
// fixed "PATH.tmp" blocked by a folder of that name made it fail), nothing
// left beside the file, and data/'s reader gets the raster's pixels back.
TEST(Plot, SavePngWritesThroughAtomicFileAndReadsBack) {
  namespace fs = std::filesystem;
  const fs::path dir = test::fresh_test_dir("ctcscope_test_plot");
  const std::string path = (dir / "confusion.png").string();
  fs::create_directory(path + ".tmp");
  const Raster r = confusion_matrix_plot({{85, 5}, {3, 7}});
  save_png(path, r);
  fs::remove(path + ".tmp");
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir)) files += entry.path().filename() != "confusion.png" ? 100 : 1;
  EXPECT_EQ(files, 1) << "a temporary file was left in " << dir;
  const Image back = read_png(path);
  ASSERT_EQ(back.channels, 3);
  ASSERT_EQ(back.width, r.width);
  ASSERT_EQ(back.height, r.height);
  for (int y = 0; y < r.height; y += 7) {
    for (int x = 0; x < r.width; x += 5) {
      const Rgb c = r.at(x, y);
      ASSERT_EQ(std::lround(back.at(0, y, x) * 255), c.r) << x << "," << y;
      ASSERT_EQ(std::lround(back.at(2, y, x) * 255), c.b) << x << "," << y;
    }
  }
}

}  // namespace
}  // namespace ctcscope
