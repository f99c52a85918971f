// Image: a decoded picture in memory, float samples in [0, 1], planar
// [channels][height][width] like a tensor's CHW. Bright-field and DAPI
// images are gray (1 channel); RGB files are kept as 3 channels until
// converted. A decoded file's samples are its counts over the largest count
// of its bit depth (x = count / (2^bit_depth - 1)); bit_depth says which, so
// counts can be recovered (a 12-bit camera's 4095 in a 16-bit file is 0.0625).
#pragma once

#include <cstdint>
#include <vector>

namespace ctcscope {

// Bounds that keep a small or hostile file from asking for huge memory, for
// every reader (PNG, TIFF): each side at most kImageMaxSide pixels and at most
// kImageMaxSamples samples (width * height * channels; 64 Mi samples = 256 MiB
// of floats). DEPArray single-cell images are a few hundred pixels a side.
inline constexpr std::uint32_t kImageMaxSide = 16384;
inline constexpr std::uint64_t kImageMaxSamples = std::uint64_t{1} << 26;

struct Image {
  std::int64_t channels = 0, height = 0, width = 0;
  std::vector<float> pixels;  // channels * height * width
  int bit_depth = 0;          // the file's bits per sample (8, 16); 0: not from a file

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

// A sample in [0, 1] as a count in [0, max], rounded to nearest; values out
// of range clamp and NaN gives 0 (how the PNG and TIFF writers store floats).
std::uint32_t quantize_sample(float v, std::uint32_t max);

// Luminance of an RGB image as PIL's "L" mode (ITU-R 601-2:
// 0.299 R + 0.587 G + 0.114 B); a gray image is returned as it is.
Image to_gray(const Image& image);

}  // namespace ctcscope
