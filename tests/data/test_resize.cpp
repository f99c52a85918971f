// Resize: exact sizes, constants stay constant, area means on downscale,
// bilinear on upscale, and the centre crop/pad helper.
#include <gtest/gtest.h>

#include "data/resize.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

Image random_image(std::int64_t c, std::int64_t h, std::int64_t w) {
  Image image(c, h, w);
  Philox rng(Seed{"test.resize", 0, 0});
  for (std::size_t i = 0; i < image.pixels.size(); ++i) image.pixels[i] = static_cast<float>(rng.uniform(i));
  return image;
}

TEST(Resize, SizesExactAndConstantStaysConstant) {
  const Image constant(3, 203, 171, 0.37f);
  for (auto [h, w] : {std::pair<std::int64_t, std::int64_t>{148, 148}, {500, 97}, {1, 1}, {203, 171}, {7, 400}}) {
    const Image out = resize(constant, h, w);
    ASSERT_EQ(out.channels, 3);
    ASSERT_EQ(out.height, h);
    ASSERT_EQ(out.width, w);
    for (float v : out.pixels) ASSERT_NEAR(v, 0.37f, 1e-6f);
  }
  EXPECT_EQ(resize_to_input(constant).height, 148);
  EXPECT_EQ(resize_to_input(constant).width, 148);
}

TEST(Resize, AreaDownscaleOfCheckerboardIsTheMean) {
  Image board(1, 2, 2);
  board.pixels = {0.0f, 1.0f, 1.0f, 0.0f};
  const Image one = resize(board, 1, 1);
  EXPECT_FLOAT_EQ(one.pixels[0], 0.5f);
  // A 6x6 checkerboard to 3x3: each output is a 2x2 block mean, 0.5.
  Image big(1, 6, 6);
  for (std::int64_t y = 0; y < 6; ++y) {
    for (std::int64_t x = 0; x < 6; ++x) big.at(0, y, x) = static_cast<float>((x + y) % 2);
  }
  for (float v : resize(big, 3, 3).pixels) EXPECT_FLOAT_EQ(v, 0.5f);
  // Fractional coverage: 3 -> 2 covers [0,1.5) and [1.5,3).
  Image row(1, 1, 3);
  row.pixels = {0.0f, 3.0f, 6.0f};
  const Image two = resize(row, 1, 2);
  EXPECT_FLOAT_EQ(two.pixels[0], (0.0f + 0.5f * 3.0f) / 1.5f);
  EXPECT_FLOAT_EQ(two.pixels[1], (0.5f * 3.0f + 6.0f) / 1.5f);
}

TEST(Resize, AreaDownscaleKeepsTheMean) {
  const Image in = random_image(1, 300, 211);
  const Image out = resize(in, 148, 148);
  double a = 0, b = 0;
  for (float v : in.pixels) a += v;
  for (float v : out.pixels) b += v;
  EXPECT_NEAR(a / in.pixels.size(), b / out.pixels.size(), 1e-5);
}

TEST(Resize, BilinearUpscale) {
  Image row(1, 1, 2);
  row.pixels = {0.0f, 1.0f};
  const Image up = resize(row, 1, 4);  // src = -0.25, 0.25, 0.75, 1.25 -> clamped
  ASSERT_EQ(up.width, 4);
  EXPECT_FLOAT_EQ(up.pixels[0], 0.0f);
  EXPECT_FLOAT_EQ(up.pixels[1], 0.25f);
  EXPECT_FLOAT_EQ(up.pixels[2], 0.75f);
  EXPECT_FLOAT_EQ(up.pixels[3], 1.0f);
}

TEST(Resize, CenterCropOrPad) {
  Image in(1, 3, 4);
  for (std::size_t i = 0; i < in.pixels.size(); ++i) in.pixels[i] = static_cast<float>(i);
  const Image crop = center_crop_or_pad(in, 1, 2);  // rows cut 1 top, 1 bottom; cols 1 left, 1 right
  EXPECT_EQ(crop.pixels, (std::vector<float>{5.0f, 6.0f}));
  const Image pad = center_crop_or_pad(in, 6, 5, -1.0f);  // 1 row top, 2 bottom; 0 left, 1 right
  EXPECT_EQ(pad.at(0, 0, 0), -1.0f);
  EXPECT_EQ(pad.at(0, 1, 0), 0.0f);
  EXPECT_EQ(pad.at(0, 3, 3), 11.0f);
  EXPECT_EQ(pad.at(0, 3, 4), -1.0f);
  EXPECT_EQ(pad.at(0, 4, 0), -1.0f);
}

}  // namespace
}  // namespace ctcscope
