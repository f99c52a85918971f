// TIFF files through libtiff: 8- and 16-bit unsigned gray (min-is-black, or
// min-is-white inverted) and RGB (contiguous or separate planes), in strips
// or tiles, with any compression this libtiff decodes (tested: none, LZW,
// deflate, PackBits), read as float samples count / (2^bits - 1) in [0, 1].
// Other kinds (float or signed samples, 1/4/12/32 bits, palette, CMYK, YCbCr,
// extra samples such as alpha) are refused naming the property. Errors name
// the file: "cell_3_bf.tif: corrupt TIFF (libtiff: ...)"; libtiff's own
// messages are captured per call, never printed.
#pragma once

#include <string>
#include <vector>

#include "data/image.h"

namespace ctcscope {

// page: 0-based. -1: the file must have one page; a multi-page file is
// refused naming its page count. Gray files give 1 channel, RGB files 3.
Image read_tiff(const std::string& path, int page = -1);

enum class TiffCompression { none, lzw, deflate, packbits };

struct TiffWriteOptions {
  int bit_depth = 8;  // 8 or 16
  TiffCompression compression = TiffCompression::none;
  bool tiles = false;          // tiles of tile_side^2 pixels, else strips of rows_per_strip rows
  int rows_per_strip = 8;
  int tile_side = 16;          // libtiff needs a multiple of 16
  bool planar = false;         // RGB as three separate planes, else R,G,B interleaved
  bool min_is_white = false;   // gray stored inverted (count max - v), as some cameras do
};

// Every image (a page each) must be 1 (gray) or 3 (RGB) channels; values are
// clamped to [0, 1] and rounded (NaN written as 0). Written to a temporary
// name in the same folder, then renamed.
void write_tiff(const std::string& path, const std::vector<Image>& pages, const TiffWriteOptions& options = {});

}  // namespace ctcscope
