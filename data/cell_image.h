// How a cell's image files become the gray samples the network is fed: per
// channel (BF, DAPI) which colour channel and TIFF page to read, then the
// intensity stage. One value, recorded with the run and in its checkpoints,
// so evaluation and prediction read images exactly as training did.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/expansion.h"
#include "data/image_file.h"
#include "data/intensity.h"
#include "data/manifest.h"

namespace ctcscope {

struct CellImageSettings {
  std::array<ImageReadOptions, 2> read{};  // index: Channel (bf = 0, dapi = 1)
  Intensity intensity;                      // none: samples as decoded

  const ImageReadOptions& read_options(Channel channel) const { return read[static_cast<std::size_t>(channel)]; }
};

// The file read (read_image with the channel's options), then the intensity
// stage: gray [1, H, W] in [0, 1], at the file's own size.
Image read_cell_image(const std::string& path, Channel channel, const CellImageSettings& settings);

// Dataset mode: the settings' percentiles over every pixel of the given
// cells' images, per channel, from an exact histogram of 16-bit resolution
// (8 and 16-bit files are binned by their counts). A channel no cell has
// keeps levels 0..1. Returns the intensity with its levels fitted; other
// modes are returned as they are.
Intensity fit_dataset_levels(const Manifest& manifest, const std::vector<std::int64_t>& cells,
                             const CellImageSettings& settings);

}  // namespace ctcscope
