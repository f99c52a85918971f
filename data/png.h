// PNG files through libpng: 8- and 16-bit gray, gray+alpha, RGB, RGBA and
// palette images of any size, read as float samples in [0, 1] (16-bit
// divided by 65535, 8-bit by 255; alpha dropped). Errors name the file.
#pragma once

#include <string>

#include "data/image.h"

namespace ctcscope {

Image read_png(const std::string& path);

// 1 (gray) or 3 (RGB) channels, 8 or 16 bits per sample, values clamped to
// [0, 1] and rounded. Written to a temporary name in the same folder, then
// renamed.
void write_png(const std::string& path, const Image& image, int bit_depth = 8);

}  // namespace ctcscope
