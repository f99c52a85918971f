// The intensity stage: the option's forms and errors, numpy's percentile,
// each mode's map (constant images included), dataset levels fitted over
// files, and the reason the stage exists: the same cells from an 8-bit file
// and from a 12-bit camera's 16-bit file look alike after it, and not before.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <numeric>

#include "data/cell_image.h"
#include "data/intensity.h"
#include "data/png.h"
#include "data/synth.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_error_containing;

Image ramp(std::int64_t n, int bit_depth) {  // samples 0, 1, ..., n-1 counts
  Image image(1, 1, n);
  const double max = std::ldexp(1.0, bit_depth) - 1.0;
  for (std::int64_t i = 0; i < n; ++i) image.pixels[static_cast<std::size_t>(i)] = static_cast<float>(i / max);
  image.bit_depth = bit_depth;
  return image;
}

TEST(Intensity, ParsesEachFormAndPrintsItBack) {
  EXPECT_EQ(parse_intensity("none").mode, IntensityMode::none);
  const Intensity p = parse_intensity("percentile");
  EXPECT_EQ(p.mode, IntensityMode::percentile);
  EXPECT_DOUBLE_EQ(p.low, kLowPercentile);
  EXPECT_DOUBLE_EQ(p.high, kHighPercentile);
  EXPECT_EQ(p.spec(), "percentile:1:99.8");
  EXPECT_EQ(parse_intensity("percentile:2:98").spec(), "percentile:2:98");
  EXPECT_EQ(parse_intensity("range:0:4095").spec(), "range:0:4095");
  EXPECT_EQ(parse_intensity("dataset").spec(), "dataset:1:99.8");
  const Intensity fitted = parse_intensity("dataset:1:99.8;bf=0.00534:0.0261;dapi=0:0.0351");
  EXPECT_TRUE(fitted.fitted);
  EXPECT_DOUBLE_EQ(fitted.levels[0].low, 0.00534);
  EXPECT_DOUBLE_EQ(fitted.levels[1].high, 0.0351);
  EXPECT_EQ(parse_intensity(fitted.str()).str(), fitted.str());
}

TEST(Intensity, BadValuesNameTheValueAndTheForms) {
  expect_error_containing([] { parse_intensity("percentil"); }, "unknown mode 'percentil'");
  expect_error_containing([] { parse_intensity("range"); }, "range:LO:HI");
  expect_error_containing([] { parse_intensity("range:4095:0"); }, "LO must be below HI");
  expect_error_containing([] { parse_intensity("percentile:1:120"); }, "0..100");
  expect_error_containing([] { parse_intensity("range:0:x"); }, "'x' is not a number");
  expect_error_containing([] { parse_intensity("none:1:2"); }, "none takes no values");
  expect_error_containing([] { parse_intensity("percentile:1:99;bf=0:1;dapi=0:1"); }, "only dataset mode");
}

TEST(Intensity, PercentileInterpolatesAsNumpy) {
  std::vector<float> v(10);
  std::iota(v.begin(), v.end(), 1.0f);  // 1..10, shuffled order must not matter
  std::swap(v[0], v[7]);
  // numpy.percentile(np.arange(1, 11), [0, 25, 50, 99.8, 100]) = 1, 3.25, 5.5, 9.982, 10
  EXPECT_DOUBLE_EQ(sample_percentile(v, 0), 1.0);
  EXPECT_DOUBLE_EQ(sample_percentile(v, 25), 3.25);
  EXPECT_DOUBLE_EQ(sample_percentile(v, 50), 5.5);
  EXPECT_NEAR(sample_percentile(v, 99.8), 9.982, 1e-12);
  EXPECT_DOUBLE_EQ(sample_percentile(v, 100), 10.0);
}

TEST(Intensity, PercentileModeStretchesEachImageToItsOwnRange) {
  // 1001 counts 0..1000 of 65535: 1st percentile 10, 99.8th 998.
  const Image out = apply_intensity(ramp(1001, 16), parse_intensity("percentile"), 0);
  EXPECT_FLOAT_EQ(out.pixels[0], 0.0f);
  EXPECT_FLOAT_EQ(out.pixels[10], 0.0f);
  EXPECT_NEAR(out.pixels[504], 494.0 / 988.0, 1e-6);
  EXPECT_FLOAT_EQ(out.pixels[998], 1.0f);
  EXPECT_FLOAT_EQ(out.pixels[1000], 1.0f);  // clipped
}

TEST(Intensity, RangeModeReadsCountsOfTheFilesBitDepth) {
  const Intensity twelve_bit = parse_intensity("range:0:4095");
  Image counts = ramp(4096, 16);  // 0..4095 of 65535
  const Image out = apply_intensity(counts, twelve_bit, 0);
  EXPECT_FLOAT_EQ(out.pixels[0], 0.0f);
  EXPECT_NEAR(out.pixels[2048], 2048.0 / 4095.0, 1e-6);
  EXPECT_FLOAT_EQ(out.pixels[4095], 1.0f);
  // The same counts in an 8-bit file saturate at 255 of range:0:255.
  EXPECT_NEAR(apply_intensity(ramp(256, 8), parse_intensity("range:0:255"), 0).pixels[128], 128.0 / 255.0, 1e-6);
}

TEST(Intensity, NoneKeepsTheSamplesAsDecoded) {
  const Image in = ramp(300, 16);
  EXPECT_EQ(apply_intensity(in, parse_intensity("none"), 0).pixels, in.pixels);
}

TEST(Intensity, AConstantImageIsMidGrayNotNaN) {
  Image flat(1, 8, 8, 0.25f);
  flat.bit_depth = 8;
  for (const char* mode : {"percentile", "dataset:1:99.8;bf=0.25:0.25;dapi=0:1"}) {
    const Image out = apply_intensity(flat, parse_intensity(mode), 0);
    for (float v : out.pixels) ASSERT_EQ(v, 0.5f) << mode;
  }
}

TEST(Intensity, DatasetLevelsAreThePercentilesOfThePooledTrainingPixels) {
  const std::string dir = test::fresh_test_dir("intensity_dataset");
  Manifest manifest;
  manifest.root = dir;
  std::vector<float> pooled_bf;
  for (int i = 0; i < 4; ++i) {
    Image bf(1, 6, 7), dapi(1, 6, 7);
    for (std::size_t k = 0; k < bf.pixels.size(); ++k) {
      bf.pixels[k] = static_cast<float>((300 + 37 * i + 11 * static_cast<int>(k) % 997) / 65535.0);
      dapi.pixels[k] = static_cast<float>((50 * i + static_cast<int>(k)) / 65535.0);
    }
    CellRecord cell;
    cell.cell_id = "c" + std::to_string(i);
    cell.bf = cell.cell_id + "_bf.png";
    cell.dapi = cell.cell_id + "_dapi.png";
    write_png(dir + "/" + cell.bf, bf, 16);
    write_png(dir + "/" + cell.dapi, dapi, 16);
    manifest.cells.push_back(cell);
    if (i != 3) pooled_bf.insert(pooled_bf.end(), bf.pixels.begin(), bf.pixels.end());
  }
  CellImageSettings settings;
  settings.intensity = parse_intensity("dataset:2:98");
  const Intensity fitted = fit_dataset_levels(manifest, {0, 1, 2}, settings);  // cell 3 is not training
  ASSERT_TRUE(fitted.fitted);
  EXPECT_NEAR(fitted.levels[0].low, sample_percentile(pooled_bf, 2), 1e-7);
  EXPECT_NEAR(fitted.levels[0].high, sample_percentile(pooled_bf, 98), 1e-7);
  // Applied with the fitted levels (the same for every image of a channel).
  settings.intensity = fitted;
  const Image raw = read_png(dir + "/c3_bf.png");
  const Image out = read_cell_image(dir + "/c3_bf.png", Channel::bf, settings);
  const IntensityLevels bf = fitted.levels[0];
  for (std::size_t k = 0; k < raw.pixels.size(); ++k) {
    const double want = std::clamp((raw.pixels[k] - bf.low) / (bf.high - bf.low), 0.0, 1.0);
    ASSERT_NEAR(out.pixels[k], want, 1e-6) << "pixel " << k;
  }
}

// The same generated cells recorded 8-bit (scene over the whole range) and by
// a 12-bit camera in 16-bit files (a few percent of the range): through the
// percentile stage their pixels agree closely; as decoded ("none") they do not.
TEST(Intensity, EightBitAndTwelveBitCameraFilesOfOneCellLookAlikeAfterTheStage) {
  SynthOptions eight;
  SynthOptions sixteen;
  sixteen.bit_depth = 16;
  sixteen.camera_bits = 12;
  for (std::int64_t index : {0, 5, 600}) {
    const SynthKind kind = index < 529 ? SynthKind::cell_line : SynthKind::lymphocyte;
    const SynthCell scene = synth_cell(index, kind, eight);
    const SynthCell a = synth_camera(scene, index, eight), b = synth_camera(scene, index, sixteen);
    auto p99 = [](const Image& x) { return sample_percentile(x.pixels, 99); };
    auto mean_abs_difference = [](const Image& x, const Image& y) {
      double s = 0;
      for (std::size_t k = 0; k < x.pixels.size(); ++k) s += std::abs(x.pixels[k] - y.pixels[k]);
      return s / static_cast<double>(x.pixels.size());
    };
    const Intensity percentile = parse_intensity("percentile"), none = parse_intensity("none");
    for (int channel : {0, 1}) {
      const Image& x = channel == 0 ? a.bf : a.dapi;
      const Image& y = channel == 0 ? b.bf : b.dapi;
      const double after = mean_abs_difference(apply_intensity(x, percentile, channel),
                                               apply_intensity(y, percentile, channel));
      const double before = std::abs(p99(apply_intensity(x, none, channel)) - p99(apply_intensity(y, none, channel)));
      // 8-bit quantisation, read noise and percentiles taken on other
      // samples leave a few hundredths; as decoded the 16-bit image's
      // brightest pixels sit near 0.03 and the 8-bit one's near the scene's.
      EXPECT_LT(after, 0.03) << "cell " << index << " channel " << channel;
      EXPECT_GT(before, 0.1) << "cell " << index << " channel " << channel;
    }
  }
}

TEST(SynthCamera, TwelveBitCountsFillAFewPercentOfTheSixteenBitRange) {
  SynthOptions o;
  o.bit_depth = 16;
  o.camera_bits = 12;
  const SynthCell cell = synth_camera(synth_cell(3, SynthKind::cell_line, o), 3, o);
  EXPECT_EQ(cell.bf.bit_depth, 16);
  const auto [lo, hi] = std::minmax_element(cell.bf.pixels.begin(), cell.bf.pixels.end());
  EXPECT_GT(*lo * 65535.0, 100.0);   // above the dark offset's noise
  EXPECT_LT(*hi * 65535.0, 4095.0);  // within the camera's 12 bits
  EXPECT_LT(*hi - *lo, 0.04f);       // a few percent of the file's range
  expect_error_containing([] {
    SynthOptions bad;
    bad.camera_bits = 12;  // above an 8-bit file's depth
    synth_camera(synth_cell(0, SynthKind::cell_line, bad), 0, bad);
  }, "camera bits");
}

}  // namespace
}  // namespace ctcscope
