// Reading a cell's image through the run's settings; fitting dataset levels.
#include "data/cell_image.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "tensor/error.h"

namespace ctcscope {
namespace {

constexpr std::size_t kBins = 65536;  // a 16-bit count each; 8-bit counts land on every 257th

std::size_t bin_of(float v) {
  const double c = std::nearbyint(static_cast<double>(std::clamp(v, 0.0f, 1.0f)) * (kBins - 1));
  return static_cast<std::size_t>(c);
}

// numpy.percentile's linear interpolation, on a histogram of n samples.
double histogram_percentile(const std::vector<std::uint64_t>& histogram, std::uint64_t n, double percent) {
  const double rank = percent / 100.0 * static_cast<double>(n - 1);
  const auto below = static_cast<std::uint64_t>(std::floor(rank));
  auto value_at = [&](std::uint64_t k) {  // the k-th smallest sample (0-based)
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < histogram.size(); ++b) {
      seen += histogram[b];
      if (seen > k) return static_cast<double>(b) / (kBins - 1);
    }
    return 1.0;
  };
  const double lo = value_at(below);
  const double hi = below + 1 < n ? value_at(below + 1) : lo;
  return lo + (rank - static_cast<double>(below)) * (hi - lo);
}

}  // namespace

Image read_cell_image(const std::string& path, Channel channel, const CellImageSettings& settings) {
  return apply_intensity(read_image(path, settings.read_options(channel)), settings.intensity,
                         static_cast<int>(channel));
}

Intensity fit_dataset_levels(const Manifest& manifest, const std::vector<std::int64_t>& cells,
                             const CellImageSettings& settings) {
  Intensity fitted = settings.intensity;
  if (fitted.mode != IntensityMode::dataset) return fitted;
  for (Channel channel : {Channel::bf, Channel::dapi}) {
    std::vector<std::uint64_t> histogram(kBins, 0);
    std::uint64_t n = 0;
    for (std::int64_t index : cells) {
      const CellRecord& cell = manifest.cells.at(static_cast<std::size_t>(index));
      const std::string& rel = channel == Channel::bf ? cell.bf : cell.dapi;
      if (rel.empty()) continue;
      const std::string path = (std::filesystem::path(manifest.root) / rel).string();
      const Image image = read_image(path, settings.read_options(channel));
      for (float v : image.pixels) ++histogram[bin_of(v)];
      n += image.pixels.size();
    }
    IntensityLevels& levels = fitted.levels[static_cast<std::size_t>(channel)];
    if (n == 0) {
      levels = {0.0, 1.0};
    } else {
      levels = {histogram_percentile(histogram, n, fitted.low), histogram_percentile(histogram, n, fitted.high)};
    }
  }
  fitted.fitted = true;
  return fitted;
}

}  // namespace ctcscope
