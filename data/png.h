// PNG files through libpng: 8- and 16-bit gray, gray+alpha, RGB, RGBA and
// palette images (1/2/4-bit gray expanded to 8), read as float samples in
// [0, 1] (16-bit divided by 65535, 8-bit by 255; alpha and tRNS dropped).
// Errors name the file: "cell_12_bf.png: not a PNG file".
#pragma once

#include <cstdint>
#include <string>

#include "data/image.h"

namespace ctcscope {

// The size bounds every image reader shares (data/image.h).
inline constexpr std::uint32_t kPngMaxSide = kImageMaxSide;
inline constexpr std::uint64_t kPngMaxSamples = kImageMaxSamples;

// Gray (and gray+alpha) files give 1 channel; RGB, RGBA and palette files 3.
Image read_png(const std::string& path);

// 1 (gray) or 3 (RGB) channels, 8 or 16 bits per sample, values clamped to
// [0, 1] and rounded (NaN written as 0). Written to a temporary name in the
// same folder, then renamed.
void write_png(const std::string& path, const Image& image, int bit_depth = 8);

// The one PNG encoder (write_png and eval's plots): samples in PNG's own
// order (rows top to bottom, channels interleaved, 16-bit big-endian), 1 or 3
// channels, 8 or 16 bits, encoded in memory.
std::string encode_png_samples(const std::uint8_t* samples, int width, int height, int channels, int bit_depth);

}  // namespace ctcscope
