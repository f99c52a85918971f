// Cell image files by extension, the channel pick and the page check.
#include "data/image_file.h"

#include <algorithm>
#include <cctype>

#include "data/png.h"
#include "data/tiff.h"
#include "base/error.h"

namespace ctcscope {
namespace {

std::string lower_extension(const std::string& path) {
  const std::size_t slash = path.find_last_of('/');
  const std::size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

Image pick_channel(const Image& image, ChannelPick pick, const std::string& path) {
  if (image.channels == 1 || pick == ChannelPick::gray) return to_gray(image);
  CTC_CHECK_INPUT(image.channels == 3, path, ": expected 1 or 3 channels, got ", image.channels);
  const std::int64_t plane = image.height * image.width;
  const std::int64_t c = pick == ChannelPick::red ? 0 : pick == ChannelPick::green ? 1 : 2;
  Image out(1, image.height, image.width);
  out.bit_depth = image.bit_depth;
  std::copy(image.pixels.begin() + c * plane, image.pixels.begin() + (c + 1) * plane, out.pixels.begin());
  return out;
}

}  // namespace

const char* channel_pick_name(ChannelPick pick) {
  switch (pick) {
    case ChannelPick::gray: return "gray";
    case ChannelPick::red: return "red";
    case ChannelPick::green: return "green";
    case ChannelPick::blue: return "blue";
  }
  return "?";
}

ChannelPick channel_pick_from_name(const std::string& name) {
  for (ChannelPick p : {ChannelPick::gray, ChannelPick::red, ChannelPick::green, ChannelPick::blue}) {
    if (name == channel_pick_name(p)) return p;
  }
  CTC_FAIL("unknown image channel '", name, "' (gray, red, green, blue)");
}

bool is_image_file_name(const std::string& name) {
  const std::string ext = lower_extension(name);
  return ext == ".png" || ext == ".tif" || ext == ".tiff";
}

Image read_image(const std::string& path, const ImageReadOptions& options) {
  const std::string ext = lower_extension(path);
  if (ext == ".png") {
    CTC_CHECK_INPUT(options.page <= 0, path, ": page ", options.page, " asked of a PNG file, which has one page (0)");
    return pick_channel(read_png(path), options.channel, path);
  }
  if (ext == ".tif" || ext == ".tiff") return pick_channel(read_tiff(path, options.page), options.channel, path);
  CTC_FAIL(path, ": not an image file name this reader knows (.png, .tif, .tiff)");
}

}  // namespace ctcscope
