// The saliency overlay: the cell untouched where the map is zero, the map's
// peak in the warm end of the scale, sizes, and mismatched maps refused.
#include <gtest/gtest.h>

#include <cmath>

#include "eval/saliency_overlay.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

Image ramp(std::int64_t side) {
  Image g(1, side, side);
  for (std::int64_t y = 0; y < side; ++y) {
    for (std::int64_t x = 0; x < side; ++x) g.at(0, y, x) = static_cast<float>(x + y) / static_cast<float>(2 * side);
  }
  return g;
}

std::uint8_t byte_of(float v) { return static_cast<std::uint8_t>(std::lround(255.0 * v)); }

TEST(SaliencyOverlay, LeavesTheCellWhereTheMapIsZeroAndColoursThePeak) {
  const Image g = ramp(4);
  std::vector<double> map(16, 0.0);
  map[5] = 3.0;  // (y 1, x 1): the peak, scaled to 1
  map[6] = 1.5;  // half the peak
  const Raster r = saliency_overlay(g, map, 2);
  ASSERT_EQ(r.width, 8);
  ASSERT_EQ(r.height, 8);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) {
      if (map[static_cast<std::size_t>(y * 4 + x)] > 0) continue;
      const Rgb c = r.at(2 * x + 1, 2 * y + 1);
      EXPECT_EQ(c.r, byte_of(g.at(0, y, x))) << x << "," << y;
      EXPECT_EQ(c.g, c.r);
      EXPECT_EQ(c.b, c.r);
    }
  }
  const Rgb peak = r.at(2, 2), half = r.at(4, 2);
  EXPECT_GT(peak.r, peak.b) << "the peak is at the red end";
  EXPECT_GT(half.g, half.r) << "half the peak is green, mid-scale";
}

TEST(SaliencyOverlay, AnAllZeroMapLeavesTheImageGray) {
  const Image g = ramp(3);
  const Raster r = saliency_overlay(g, std::vector<double>(9, 0.0));
  for (int y = 0; y < 3; ++y) {
    for (int x = 0; x < 3; ++x) EXPECT_EQ(r.at(x, y).r, byte_of(g.at(0, y, x)));
  }
}

TEST(SaliencyPair, PutsTheCellBesideTheOverlay) {
  const Image g = ramp(5);
  std::vector<double> map(25, 0.0);
  map[0] = 1.0;
  const Raster r = saliency_pair(g, map, 3);
  ASSERT_EQ(r.height, 15);
  const int side = 15, gap = r.width - 2 * side;
  ASSERT_GT(gap, 0);
  EXPECT_EQ(r.at(0, 0).r, r.at(0, 0).b) << "the left copy is the plain cell";
  const Rgb hot = r.at(side + gap, 0);
  EXPECT_NE(hot.r, hot.b) << "the right copy carries the map";
}

TEST(SaliencyOverlay, RefusesAMapOfAnotherSize) {
  test::expect_error_containing([] { saliency_overlay(ramp(4), std::vector<double>(15, 0.0)); }, "15 values");
}

}  // namespace
}  // namespace ctcscope
