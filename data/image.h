// Image: a decoded picture in memory, float samples in [0, 1], planar
// [channels][height][width] like a tensor's CHW. Bright-field and DAPI
// images are gray (1 channel); RGB files are kept as 3 channels until
// converted.
#pragma once

#include <cstdint>
#include <vector>

namespace ctcscope {

struct Image {
  std::int64_t channels = 0, height = 0, width = 0;
  std::vector<float> pixels;  // channels * height * width

  Image() = default;
  Image(std::int64_t channels, std::int64_t height, std::int64_t width, float value = 0.0f);

  bool empty() const { return pixels.empty(); }
  float& at(std::int64_t c, std::int64_t y, std::int64_t x) { return pixels[index(c, y, x)]; }
  float at(std::int64_t c, std::int64_t y, std::int64_t x) const { return pixels[index(c, y, x)]; }

 private:
  std::size_t index(std::int64_t c, std::int64_t y, std::int64_t x) const {
    return static_cast<std::size_t>((c * height + y) * width + x);
  }
};

// Luminance of an RGB image as PIL's "L" mode (ITU-R 601-2:
// 0.299 R + 0.587 G + 0.114 B); a gray image is returned as it is.
Image to_gray(const Image& image);

}  // namespace ctcscope
