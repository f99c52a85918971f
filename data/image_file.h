// Reading a cell image file of any supported format: PNG (data/png.h) and
// TIFF (data/tiff.h), chosen by the file's extension (.png, .tif, .tiff, any
// case), the channel a stain was exported in picked, and the page of a
// multi-page TIFF chosen.
#pragma once

#include <string>

#include "data/image.h"

namespace ctcscope {

// Which samples make the gray image: the luminance of a colour file (gray,
// ITU-R 601-2 as to_gray), or one colour channel (a DAPI exported in blue
// alone turns dark through a gray conversion: 0.114 of its value). A gray
// file gives its only channel whatever is asked.
enum class ChannelPick { gray, red, green, blue };
const char* channel_pick_name(ChannelPick pick);           // "gray", "red", ...
ChannelPick channel_pick_from_name(const std::string& name);  // errors list the names

struct ImageReadOptions {
  ChannelPick channel = ChannelPick::gray;
  // A TIFF page (0-based). -1: the file must have one page; a multi-page file
  // is refused naming its page count. PNG files have one page (0).
  int page = -1;
};

// True for the extensions read_image takes: .png, .tif, .tiff (any case).
bool is_image_file_name(const std::string& name);

// The file as a 1-channel gray image with its bit_depth set; errors name the
// file and what is wrong.
Image read_image(const std::string& path, const ImageReadOptions& options = {});

}  // namespace ctcscope
