// The augmentations: identities, exact quarter turns, the direction of
// brightness, contrast keeping the mean, and seeded determinism.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>

#include "data/augment.h"
#include "base/error.h"

namespace ctcscope {
namespace {

Image random_image(std::int64_t c, std::int64_t h, std::int64_t w, std::uint64_t seed) {
  Image image(c, h, w);
  Philox rng(Seed{"test.augment.image", 0, seed});
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<float>(0.1 + 0.8 * rng.uniform(i));
  return image;
}

double mean(const Image& image) {
  return std::accumulate(image.pixels.begin(), image.pixels.end(), 0.0) / static_cast<double>(image.pixels.size());
}

double max_abs_diff(const Image& a, const Image& b) {
  EXPECT_EQ(a.pixels.size(), b.pixels.size());
  double m = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) m = std::max(m, std::fabs(double(a.pixels[i]) - b.pixels[i]));
  return m;
}

TEST(Augment, FlipTwiceIsIdentity) {
  Image image = random_image(1, 7, 9, 1);
  EXPECT_EQ(flip_horizontal(flip_horizontal(image)).pixels, image.pixels);
  EXPECT_EQ(flip_vertical(flip_vertical(image)).pixels, image.pixels);
  EXPECT_NE(flip_horizontal(image).pixels, image.pixels);
  EXPECT_FLOAT_EQ(flip_horizontal(image).at(0, 2, 0), image.at(0, 2, 8));
  EXPECT_FLOAT_EQ(flip_vertical(image).at(0, 0, 3), image.at(0, 6, 3));
}

TEST(Augment, RotationByZeroIsIdentity) {
  Image image = random_image(1, 11, 13, 2);
  EXPECT_LE(max_abs_diff(rotate(image, 0.0, {0.5f}), image), 1e-6);
  EXPECT_LE(max_abs_diff(rotate_flip(image, RotateFlipParams{0.0, false, false}), image), 1e-6);
  EXPECT_LE(max_abs_diff(rotate(image, 360.0, {0.5f}), image), 1e-5);
}

TEST(Augment, RotationBy90IsTransposeAndFlip) {
  // Counterclockwise as displayed: out(y, x) = in(x, W-1-y).
  for (std::int64_t n : {8, 9}) {
    Image image = random_image(1, n, n, 3);
    Image transposed(1, n, n);
    for (std::int64_t y = 0; y < n; ++y)
      for (std::int64_t x = 0; x < n; ++x) transposed.at(0, y, x) = image.at(0, x, y);
    EXPECT_LE(max_abs_diff(rotate(image, 90.0, {0.0f}), flip_vertical(transposed)), 1e-6) << n;
    EXPECT_LE(max_abs_diff(rotate(image, -90.0, {0.0f}), flip_horizontal(transposed)), 1e-6) << n;
    EXPECT_LE(max_abs_diff(rotate(image, 180.0, {0.0f}), flip_vertical(flip_horizontal(image))), 1e-6) << n;
  }
}

TEST(Augment, RotationFillsCornersWithTheBorderMedian) {
  Image image(1, 21, 21, 0.6f);
  for (std::int64_t y = 8; y < 13; ++y)
    for (std::int64_t x = 8; x < 13; ++x) image.at(0, y, x) = 0.1f;  // a dark "cell"
  auto fill = border_median(image);
  ASSERT_EQ(fill.size(), 1u);
  EXPECT_FLOAT_EQ(fill[0], 0.6f);
  Image rotated = rotate(image, 45.0, fill);
  EXPECT_NEAR(rotated.at(0, 0, 0), 0.6f, 1e-6);   // a corner rotated in from outside
  EXPECT_NEAR(rotated.at(0, 10, 10), 0.1f, 1e-6);  // the centre stays
}

TEST(Augment, BrightnessMovesTheMeanTheRightWay) {
  Image image = random_image(1, 16, 16, 4);
  double m = mean(image);
  EXPECT_GT(mean(brightness(image, {1.0, 0.05})), m + 0.04);
  EXPECT_LT(mean(brightness(image, {1.0, -0.05})), m - 0.04);
  EXPECT_GT(mean(brightness(image, {1.15, 0.0})), m);
  EXPECT_LT(mean(brightness(image, {0.85, 0.0})), m);
  EXPECT_EQ(brightness(image, {1.0, 0.0}).pixels, image.pixels);
}

TEST(Augment, ContrastKeepsTheMean) {
  Image image = random_image(1, 16, 16, 5);
  for (double c : {0.7, 1.3}) {
    Image out = contrast_gamma(image, {c, 1.0});
    EXPECT_NEAR(mean(out), mean(image), 2e-3) << c;  // moved only by the clamp
    EXPECT_GT(max_abs_diff(out, image), 0.05) << c;
  }
}

TEST(Augment, GammaOneIsIdentityAndGammaDarkensOrBrightens) {
  Image image = random_image(1, 16, 16, 6);
  EXPECT_LE(max_abs_diff(contrast_gamma(image, {1.0, 1.0}), image), 1e-7);
  EXPECT_LT(mean(contrast_gamma(image, {1.0, 1.4})), mean(image));
  EXPECT_GT(mean(contrast_gamma(image, {1.0, 0.7})), mean(image));
}

TEST(Augment, DrawsStayInTheirStatedRanges) {
  for (std::uint64_t i = 0; i < 200; ++i) {
    Seed s{"test.augment.range", i, 9};
    auto r = draw_rotate_flip(s);
    EXPECT_GE(r.angle_degrees, 0.0);
    EXPECT_LT(r.angle_degrees, kRotateMaxDegrees);
    auto b = draw_brightness(s);
    EXPECT_GE(b.scale, kBrightnessScaleMin);
    EXPECT_LE(b.scale, kBrightnessScaleMax);
    EXPECT_LE(std::fabs(b.shift), kBrightnessShiftMax);
    auto c = draw_contrast_gamma(s);
    EXPECT_GE(c.contrast, kContrastMin);
    EXPECT_LE(c.contrast, kContrastMax);
    EXPECT_GE(c.gamma, kGammaMin - 1e-12);
    EXPECT_LE(c.gamma, kGammaMax + 1e-12);
  }
}

TEST(Augment, EveryKindIsDeterministicForASeedAndDiffersForAnother) {
  Image image = random_image(1, 24, 24, 7);
  for (AugmentKind kind : {AugmentKind::rotate_flip, AugmentKind::brightness, AugmentKind::contrast_gamma}) {
    Seed a{"test.augment", 3, 42}, b{"test.augment", 4, 42};
    AugmentParams pa = draw_augment(kind, a), pa2 = draw_augment(kind, a), pb = draw_augment(kind, b);
    EXPECT_EQ(pa.str(), pa2.str());
    EXPECT_NE(pa.str(), pb.str());
    EXPECT_EQ(pa.str().rfind(augment_kind_name(kind), 0), 0u) << pa.str();
    EXPECT_EQ(apply_augment(image, pa).pixels, apply_augment(image, pa2).pixels);
    EXPECT_NE(apply_augment(image, pa).pixels, apply_augment(image, pb).pixels) << augment_kind_name(kind);
  }
  EXPECT_EQ(apply_augment(image, draw_augment(AugmentKind::none, Seed{"x", 0, 0})).pixels, image.pixels);
}

TEST(Augment, KindNamesRoundTrip) {
  for (AugmentKind kind : {AugmentKind::none, AugmentKind::rotate_flip, AugmentKind::brightness,
                           AugmentKind::contrast_gamma})
    EXPECT_EQ(augment_kind_from_name(augment_kind_name(kind)), kind);
  EXPECT_THROW(augment_kind_from_name("colour"), Error);
}

}  // namespace
}  // namespace ctcscope
