// Reading a cell's image through the run's settings; fitting dataset levels.
#include "data/cell_image.h"

#include <filesystem>

#include "data/sample_histogram.h"
#include "base/error.h"

namespace ctcscope {

Image read_cell_image(const std::string& path, Channel channel, const CellImageSettings& settings) {
  return apply_intensity(read_image(path, settings.read_options(channel)), settings.intensity,
                         static_cast<int>(channel));
}

Intensity fit_dataset_levels(const Manifest& manifest, const std::vector<std::int64_t>& cells,
                             const CellImageSettings& settings) {
  Intensity fitted = settings.intensity;
  if (fitted.mode != IntensityMode::dataset) return fitted;
  for (Channel channel : {Channel::bf, Channel::dapi}) {
    SampleHistogram histogram;
    for (std::int64_t index : cells) {
      const CellRecord& cell = manifest.cells.at(static_cast<std::size_t>(index));
      const std::string& rel = channel == Channel::bf ? cell.bf : cell.dapi;
      if (rel.empty()) continue;
      const std::string path = (std::filesystem::path(manifest.root) / rel).string();
      histogram.add(read_image(path, settings.read_options(channel)));
    }
    IntensityLevels& levels = fitted.levels[static_cast<std::size_t>(channel)];
    if (histogram.count() == 0) {
      levels = {0.0, 1.0};
    } else {
      levels = {histogram.percentile(fitted.low), histogram.percentile(fitted.high)};
    }
  }
  fitted.fitted = true;
  return fitted;
}

}  // namespace ctcscope
