// The overlay: gray to RGB, the map normalised by its maximum, blended with
// an opacity that grows with the map.
#include "eval/saliency_overlay.h"

#include <algorithm>
#include <cmath>

#include "base/error.h"

namespace ctcscope {

namespace {

constexpr double kMaxOpacity = 0.6;  // the hottest pixel keeps 40% of the cell under it
constexpr int kPairGap = 4;

std::uint8_t to_byte(double v) { return static_cast<std::uint8_t>(std::lround(255.0 * std::clamp(v, 0.0, 1.0))); }

// Matplotlib's "jet": blue at 0, cyan, yellow, red at 1.
void jet(double m, double rgb[3]) {
  rgb[0] = std::clamp(1.5 - std::abs(4 * m - 3), 0.0, 1.0);
  rgb[1] = std::clamp(1.5 - std::abs(4 * m - 2), 0.0, 1.0);
  rgb[2] = std::clamp(1.5 - std::abs(4 * m - 1), 0.0, 1.0);
}

void check_sizes(const Image& gray, const std::vector<double>& map, int scale) {
  CTC_CHECK(gray.channels == 1 && gray.height > 0 && gray.width > 0,
            "saliency_overlay: the image must be gray [1,H,W]");
  CTC_CHECK(map.size() == gray.pixels.size(), "saliency_overlay: a map of ", map.size(), " values for a ",
            gray.height, "x", gray.width, " image");
  CTC_CHECK(scale >= 1, "saliency_overlay: scale must be at least 1, got ", scale);
}

// Draws gray (and the map, when given) at (x0, 0), each pixel scale x scale.
void draw(Raster& r, int x0, const Image& gray, const std::vector<double>* map, int scale) {
  double peak = 0;
  if (map) {
    for (double v : *map) peak = std::max(peak, v);
  }
  for (std::int64_t y = 0; y < gray.height; ++y) {
    for (std::int64_t x = 0; x < gray.width; ++x) {
      const double g = gray.at(0, y, x);
      double rgb[3] = {g, g, g};
      if (peak > 0) {
        const double m = std::max((*map)[static_cast<std::size_t>(y * gray.width + x)], 0.0) / peak;
        double hot[3];
        jet(m, hot);
        const double a = kMaxOpacity * m;
        for (int c = 0; c < 3; ++c) rgb[c] = (1 - a) * g + a * hot[c];
      }
      const int px = x0 + static_cast<int>(x) * scale, py = static_cast<int>(y) * scale;
      r.fill_rect(px, py, px + scale - 1, py + scale - 1, {to_byte(rgb[0]), to_byte(rgb[1]), to_byte(rgb[2])});
    }
  }
}

}  // namespace

Raster saliency_overlay(const Image& gray, const std::vector<double>& map, int scale) {
  check_sizes(gray, map, scale);
  Raster r(static_cast<int>(gray.width) * scale, static_cast<int>(gray.height) * scale);
  draw(r, 0, gray, &map, scale);
  return r;
}

Raster saliency_pair(const Image& gray, const std::vector<double>& map, int scale) {
  check_sizes(gray, map, scale);
  const int side = static_cast<int>(gray.width) * scale;
  Raster r(2 * side + kPairGap, static_cast<int>(gray.height) * scale);
  draw(r, 0, gray, nullptr, scale);
  draw(r, side + kPairGap, gray, &map, scale);
  return r;
}

}  // namespace ctcscope
