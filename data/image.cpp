// Image construction and gray conversion.
#include "data/image.h"

#include <cmath>

#include "base/error.h"

namespace ctcscope {

Image::Image(std::int64_t c, std::int64_t h, std::int64_t w, float value)
    : channels(c), height(h), width(w), pixels(static_cast<std::size_t>(c * h * w), value) {
  CTC_CHECK(c > 0 && h > 0 && w > 0, "image size must be positive, got ", c, "x", h, "x", w);
}

Image to_gray(const Image& image) {
  if (image.channels == 1) return image;
  CTC_CHECK(image.channels == 3, "to_gray: expected 1 or 3 channels, got ", image.channels);
  Image gray(1, image.height, image.width);
  gray.bit_depth = image.bit_depth;
  for (std::int64_t y = 0; y < image.height; ++y) {
    for (std::int64_t x = 0; x < image.width; ++x) {
      gray.at(0, y, x) = 0.299f * image.at(0, y, x) + 0.587f * image.at(1, y, x) + 0.114f * image.at(2, y, x);
    }
  }
  return gray;
}

std::uint32_t quantize_sample(float v, std::uint32_t max) {
  if (!(v > 0.0f)) return 0;  // also NaN
  if (v >= 1.0f) return max;
  return static_cast<std::uint32_t>(std::lround(static_cast<double>(v) * max));
}

}  // namespace ctcscope
