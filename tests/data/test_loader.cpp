// The batch loader: every item once per epoch, shapes, labels and the
// normalisation, seeded shuffling, the cache, and worker errors.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "data/loader.h"
#include "data/png.h"
#include "data/tiff.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

// A dataset of constant images: cell i has BF value bf_value(i) and DAPI
// value 1 - bf_value(i), sizes varying so the resize is exercised.
float bf_value(std::int64_t i) { return static_cast<float>(i + 1) / 20.0f; }

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::ctcscope::test::scratch_root() / "ctc_test_loader";
    fs::create_directories(dir_ / "bf");
    fs::create_directories(dir_ / "dapi");
    std::vector<CellRecord> cells;
    for (std::int64_t i = 0; i < kCells; ++i) {
      CellRecord r;
      r.cell_id = std::string("c").append(std::to_string(i));
      r.label = i % 3 == 0 ? CellLabel::ctc : CellLabel::leukocyte;
      r.source = r.label == CellLabel::ctc ? CellSource::spike_in : CellSource::healthy;
      r.bf = std::string("bf/").append(r.cell_id).append(".png");
      r.dapi = std::string("dapi/").append(r.cell_id).append(".png");
      std::int64_t side = 20 + i;
      // Values exact in 8 bits, so the decoded image is the same constant.
      float v = std::round(bf_value(i) * 255.0f) / 255.0f;
      write_png((dir_ / r.bf).string(), Image(1, side, side, v));
      write_png((dir_ / r.dapi).string(), Image(1, side, side, 1.0f - v));
      cells.push_back(r);
    }
    write_manifest(dir_.string(), cells);
    manifest_ = read_manifest(dir_.string());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::int64_t> all() const {
    std::vector<std::int64_t> v;
    for (std::int64_t i = 0; i < kCells; ++i) v.push_back(i);
    return v;
  }

  static constexpr std::int64_t kCells = 10;
  fs::path dir_;
  Manifest manifest_;
};

std::vector<std::vector<std::int64_t>> run_epoch(BatchLoader& loader, std::int64_t epoch) {
  loader.start_epoch(epoch);
  std::vector<std::vector<std::int64_t>> batches;
  Batch batch;
  while (loader.next(batch)) batches.push_back(batch.items);
  return batches;
}

TEST_F(LoaderTest, EveryItemOncePerEpochWithTheLastPartialBatch) {
  auto items = expand_training(manifest_.cells, all(), Ablation::bf_dapi);  // 50 items
  LoaderOptions o;
  o.batch_size = 8;
  o.input_size = 16;
  BatchLoader loader(manifest_, items, o);
  EXPECT_EQ(loader.batches_per_epoch(), 7);
  for (std::int64_t epoch : {0, 1}) {
    auto batches = run_epoch(loader, epoch);
    ASSERT_EQ(batches.size(), 7u);
    EXPECT_EQ(batches.back().size(), 2u);
    std::multiset<std::int64_t> seen;
    for (const auto& b : batches) seen.insert(b.begin(), b.end());
    EXPECT_EQ(seen.size(), 50u);
    for (std::int64_t i = 0; i < 50; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
  }
}

TEST_F(LoaderTest, DropLastDropsThePartialBatch) {
  auto items = expand_training(manifest_.cells, all(), Ablation::bf_dapi);
  LoaderOptions o;
  o.batch_size = 8;
  o.input_size = 16;
  o.drop_last = true;
  BatchLoader loader(manifest_, items, o);
  auto batches = run_epoch(loader, 0);
  ASSERT_EQ(batches.size(), 6u);
  for (const auto& b : batches) EXPECT_EQ(b.size(), 8u);
}

TEST_F(LoaderTest, ShapesLabelsAndNormalisationOfConstantImages) {
  auto items = evaluation_items(manifest_.cells, all(), Ablation::bf_dapi);
  auto dapi_items = evaluation_items(manifest_.cells, all(), Ablation::dapi_no_bf);
  items.insert(items.end(), dapi_items.begin(), dapi_items.end());
  for (bool cache : {true, false}) {
    LoaderOptions o;
    o.batch_size = 6;
    o.input_size = 12;
    o.cache = cache;
    o.threads = 3;
    BatchLoader loader(manifest_, items, o);
    loader.start_epoch(0);
    Batch batch;
    std::int64_t rows = 0;
    while (loader.next(batch)) {
      const std::int64_t n = batch.images.size(0);
      EXPECT_EQ(batch.images.shape(), (Shape{n, 3, 12, 12}));
      EXPECT_EQ(batch.images.dtype(), DType::f32);
      EXPECT_EQ(batch.labels.shape(), (Shape{n}));
      EXPECT_EQ(batch.labels.dtype(), DType::i64);
      const float* px = batch.images.data<float>();
      for (std::int64_t r = 0; r < n; ++r) {
        const TrainingItem& item = items[static_cast<std::size_t>(batch.items[static_cast<std::size_t>(r)])];
        const CellRecord& cell = manifest_.cells[static_cast<std::size_t>(item.cell)];
        EXPECT_EQ(batch.labels.item(r), cell.label == CellLabel::ctc ? 1 : 0);
        float v = std::round(bf_value(item.cell) * 255.0f) / 255.0f;
        if (item.channel == Channel::dapi) v = 1.0f - v;
        for (int c = 0; c < 3; ++c) {
          const float expected = (v - kImageNetMean[c]) / kImageNetStd[c];
          for (std::int64_t p = 0; p < 144; ++p) ASSERT_NEAR(px[(r * 3 + c) * 144 + p], expected, 1e-5);
        }
      }
      rows += n;
    }
    EXPECT_EQ(rows, 20);
  }
  EXPECT_EQ(label_index(CellLabel::ctc), 1);
  EXPECT_EQ(label_index(CellLabel::leukocyte), 0);
}

TEST_F(LoaderTest, ShuffleDiffersPerEpochAndIsReproducible) {
  auto items = expand_training(manifest_.cells, all(), Ablation::bf_dapi);
  LoaderOptions o;
  o.batch_size = 50;
  o.input_size = 8;
  o.seed = 3;
  BatchLoader a(manifest_, items, o), b(manifest_, items, o);
  auto a0 = run_epoch(a, 0), a1 = run_epoch(a, 1), b1 = run_epoch(b, 1), b0 = run_epoch(b, 0);
  EXPECT_EQ(a0, b0);
  EXPECT_EQ(a1, b1);
  EXPECT_NE(a0, a1);
  EXPECT_EQ(a0[0], epoch_order(50, 0, 3, true));
  EXPECT_NE(epoch_order(50, 0, 3, true), epoch_order(50, 0, 4, true));
  o.shuffle = false;
  BatchLoader c(manifest_, items, o);
  EXPECT_EQ(run_epoch(c, 5)[0], epoch_order(50, 5, 3, false));
}

TEST_F(LoaderTest, BatchesAreTheSameOnAnyThreadCount) {
  auto items = expand_training(manifest_.cells, all(), Ablation::bf_dapi);
  auto pixels = [&](int threads, bool cache, AugmentMode mode, std::int64_t epoch) {
    LoaderOptions o;
    o.batch_size = 16;
    o.input_size = 24;
    o.threads = threads;
    o.cache = cache;
    o.augment_mode = mode;
    BatchLoader loader(manifest_, items, o);
    loader.start_epoch(epoch);
    std::vector<double> all;
    Batch batch;
    while (loader.next(batch)) {
      auto v = batch.images.to_double_vector();
      all.insert(all.end(), v.begin(), v.end());
    }
    return all;
  };
  EXPECT_EQ(pixels(1, false, AugmentMode::offline, 0), pixels(3, true, AugmentMode::offline, 0));
  // Offline augmentations are fixed, but the order is shuffled per epoch:
  // compare an online epoch with itself and with another epoch's draws.
  EXPECT_EQ(pixels(1, true, AugmentMode::online, 2), pixels(2, false, AugmentMode::online, 2));
  const TrainingItem brightened = items[2];
  ASSERT_EQ(brightened.augment, AugmentKind::brightness);
  Image e0 = load_item_image(manifest_, brightened, 24, AugmentMode::online, 0, 0);
  Image e1 = load_item_image(manifest_, brightened, 24, AugmentMode::online, 1, 0);
  Image f0 = load_item_image(manifest_, brightened, 24, AugmentMode::offline, 0, 0);
  Image f1 = load_item_image(manifest_, brightened, 24, AugmentMode::offline, 1, 0);
  EXPECT_NE(e0.pixels, e1.pixels);
  EXPECT_EQ(f0.pixels, f1.pixels);
}

TEST_F(LoaderTest, WorkerErrorsSurfaceWithTheFileName) {
  Manifest broken = manifest_;
  broken.cells[4].bf = "bf/gone.png";
  auto items = evaluation_items(broken.cells, all(), Ablation::bf_dapi);
  LoaderOptions o;
  o.batch_size = 4;
  o.input_size = 8;
  o.shuffle = false;
  BatchLoader loader(broken, items, o);
  loader.start_epoch(0);
  Batch batch;
  EXPECT_TRUE(loader.next(batch));  // cells 0-3
  try {
    while (loader.next(batch)) {
    }
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("gone.png"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("'c4'"), std::string::npos) << e.what();
  }
  // The loader can start again after an error.
  loader.start_epoch(1);
  EXPECT_TRUE(loader.next(batch));
}

TEST_F(LoaderTest, TiffCellImagesLoadLikePng) {
  // The same 16-bit counts as a TIFF (tiled, LZW) and as a PNG: one item each.
  Image counts(1, 30, 26);
  for (std::size_t i = 0; i < counts.pixels.size(); ++i) counts.pixels[i] = static_cast<float>((i * 997 % 65536) / 65535.0);
  TiffWriteOptions o;
  o.bit_depth = 16;
  o.tiles = true;
  o.compression = TiffCompression::lzw;
  write_tiff((dir_ / "bf/c0.TIF").string(), {counts}, o);
  write_png((dir_ / "bf/c0.png").string(), counts, 16);
  Manifest tiff = manifest_;
  tiff.cells[0].bf = "bf/c0.TIF";
  const TrainingItem item = evaluation_items(tiff.cells, {0}, Ablation::bf_no_dapi).at(0);
  const Image from_tiff = load_resized(tiff, item, 16);
  const Image from_png = load_resized(manifest_, item, 16);
  EXPECT_EQ(from_tiff.pixels, from_png.pixels);
}

TEST_F(LoaderTest, DestructorStopsAWorkerMidEpoch) {
  auto items = expand_training(manifest_.cells, all(), Ablation::bf_dapi);
  LoaderOptions o;
  o.batch_size = 2;
  o.input_size = 8;
  o.prefetch = 1;
  {
    BatchLoader loader(manifest_, items, o);
    loader.start_epoch(0);
    Batch batch;
    EXPECT_TRUE(loader.next(batch));
  }  // 24 batches left unread: must not hang
  SUCCEED();
}

TEST_F(LoaderTest, HostAllocatorHookIsUsed) {
  auto items = evaluation_items(manifest_.cells, all(), Ablation::bf_dapi);
  int calls = 0;
  LoaderOptions o;
  o.batch_size = 5;
  o.input_size = 8;
  o.host_allocator = [&calls](const Shape& shape, DType dtype) {
    ++calls;
    return Tensor::empty(shape, dtype);
  };
  BatchLoader loader(manifest_, items, o);
  run_epoch(loader, 0);
  EXPECT_EQ(calls, 4);  // images and labels of 2 batches
}

}  // namespace
}  // namespace ctcscope
