// The augmentation operations: parameter draws and the pixel loops.
#include "data/augment.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

#include "base/error.h"

namespace ctcscope {
namespace {

float clamp01(double v) { return static_cast<float>(std::clamp(v, 0.0, 1.0)); }

double uniform_in(const Philox& rng, std::uint64_t i, double low, double high) {
  return low + (high - low) * rng.uniform(i);
}

}  // namespace

const char* augment_kind_name(AugmentKind kind) {
  switch (kind) {
    case AugmentKind::none: return "none";
    case AugmentKind::rotate_flip: return "rotate_flip";
    case AugmentKind::brightness: return "brightness";
    case AugmentKind::contrast_gamma: return "contrast_gamma";
  }
  return "?";
}

AugmentKind augment_kind_from_name(const std::string& name) {
  for (AugmentKind k : {AugmentKind::none, AugmentKind::rotate_flip, AugmentKind::brightness,
                        AugmentKind::contrast_gamma}) {
    if (name == augment_kind_name(k)) return k;
  }
  CTC_FAIL("unknown augmentation '", name, "' (none, rotate_flip, brightness, contrast_gamma)");
}

std::string RotateFlipParams::str() const {
  std::ostringstream out;
  out << "rotate_flip(angle=" << angle_degrees << ",hflip=" << flip_horizontal << ",vflip=" << flip_vertical << ")";
  return out.str();
}

std::string BrightnessParams::str() const {
  std::ostringstream out;
  out << "brightness(scale=" << scale << ",shift=" << shift << ")";
  return out.str();
}

std::string ContrastGammaParams::str() const {
  std::ostringstream out;
  out << "contrast_gamma(contrast=" << contrast << ",gamma=" << gamma << ")";
  return out.str();
}

std::string AugmentParams::str() const {
  switch (kind) {
    case AugmentKind::rotate_flip: return rotate_flip.str();
    case AugmentKind::brightness: return brightness.str();
    case AugmentKind::contrast_gamma: return contrast_gamma.str();
    case AugmentKind::none: break;
  }
  return "none";
}

RotateFlipParams draw_rotate_flip(const Seed& seed) {
  Philox rng(seed);
  RotateFlipParams p;
  p.angle_degrees = uniform_in(rng, 0, 0.0, kRotateMaxDegrees);
  p.flip_horizontal = rng.uniform(1) < kFlipProbability;
  p.flip_vertical = rng.uniform(2) < kFlipProbability;
  return p;
}

BrightnessParams draw_brightness(const Seed& seed) {
  Philox rng(seed);
  BrightnessParams p;
  p.scale = uniform_in(rng, 0, kBrightnessScaleMin, kBrightnessScaleMax);
  p.shift = uniform_in(rng, 1, -kBrightnessShiftMax, kBrightnessShiftMax);
  return p;
}

ContrastGammaParams draw_contrast_gamma(const Seed& seed) {
  Philox rng(seed);
  ContrastGammaParams p;
  p.contrast = uniform_in(rng, 0, kContrastMin, kContrastMax);
  p.gamma = std::exp(uniform_in(rng, 1, std::log(kGammaMin), std::log(kGammaMax)));
  return p;
}

std::vector<float> border_median(const Image& image) {
  CTC_CHECK(!image.empty(), "border_median: empty image");
  std::vector<float> medians;
  std::vector<float> frame;
  for (std::int64_t c = 0; c < image.channels; ++c) {
    frame.clear();
    for (std::int64_t x = 0; x < image.width; ++x) {
      frame.push_back(image.at(c, 0, x));
      if (image.height > 1) frame.push_back(image.at(c, image.height - 1, x));
    }
    for (std::int64_t y = 1; y + 1 < image.height; ++y) {
      frame.push_back(image.at(c, y, 0));
      if (image.width > 1) frame.push_back(image.at(c, y, image.width - 1));
    }
    auto mid = frame.begin() + static_cast<std::ptrdiff_t>(frame.size() / 2);
    std::nth_element(frame.begin(), mid, frame.end());
    medians.push_back(*mid);
  }
  return medians;
}

Image rotate(const Image& image, double angle_degrees, const std::vector<float>& fill) {
  CTC_CHECK(!image.empty(), "rotate: empty image");
  CTC_CHECK(static_cast<std::int64_t>(fill.size()) == image.channels, "rotate: ", fill.size(),
            " fill values for ", image.channels, " channels");
  const std::int64_t H = image.height, W = image.width;
  double theta = angle_degrees * std::numbers::pi / 180.0;
  double cs = std::cos(theta), sn = std::sin(theta);
  // Quarter turns exactly, so that 90 degrees is a transpose and a flip.
  double quarter = angle_degrees / 90.0;
  if (quarter == std::round(quarter)) {
    cs = std::round(cs);
    sn = std::round(sn);
  }
  const double cx = 0.5 * static_cast<double>(W - 1), cy = 0.5 * static_cast<double>(H - 1);
  Image out(image.channels, H, W);
  const std::size_t plane = static_cast<std::size_t>(H * W);
  for (std::int64_t c = 0; c < image.channels; ++c) {
    const float* in = image.pixels.data() + static_cast<std::size_t>(c) * plane;
    float* o = out.pixels.data() + static_cast<std::size_t>(c) * plane;
    const double f = fill[static_cast<std::size_t>(c)];
    // A tap outside the image reads the fill value.
    auto tap = [&](std::int64_t yy, std::int64_t xx) -> double {
      if (yy < 0 || yy >= H || xx < 0 || xx >= W) return f;
      return in[yy * W + xx];
    };
    for (std::int64_t y = 0; y < H; ++y) {
      // With y pointing down, a counterclockwise turn by theta maps (dx, dy)
      // to (dx cos + dy sin, -dx sin + dy cos); the source is the inverse.
      const double dy = static_cast<double>(y) - cy;
      for (std::int64_t x = 0; x < W; ++x) {
        const double dx = static_cast<double>(x) - cx;
        const double sx = cx + dx * cs - dy * sn;
        const double sy = cy + dx * sn + dy * cs;
        const double fx = std::floor(sx), fy = std::floor(sy);
        const double ax = sx - fx, ay = sy - fy;
        const auto x0 = static_cast<std::int64_t>(fx), y0 = static_cast<std::int64_t>(fy);
        double v00, v01, v10, v11;
        if (x0 >= 0 && y0 >= 0 && x0 + 1 < W && y0 + 1 < H) {  // all four taps inside
          const float* p = in + y0 * W + x0;
          v00 = p[0], v01 = p[1], v10 = p[W], v11 = p[W + 1];
        } else {
          v00 = tap(y0, x0), v01 = tap(y0, x0 + 1), v10 = tap(y0 + 1, x0), v11 = tap(y0 + 1, x0 + 1);
        }
        o[y * W + x] = static_cast<float>((1 - ay) * ((1 - ax) * v00 + ax * v01) + ay * ((1 - ax) * v10 + ax * v11));
      }
    }
  }
  return out;
}

Image flip_horizontal(const Image& image) {
  Image out = image;
  for (std::int64_t c = 0; c < image.channels; ++c)
    for (std::int64_t y = 0; y < image.height; ++y)
      for (std::int64_t x = 0; x < image.width; ++x) out.at(c, y, x) = image.at(c, y, image.width - 1 - x);
  return out;
}

Image flip_vertical(const Image& image) {
  Image out = image;
  for (std::int64_t c = 0; c < image.channels; ++c)
    for (std::int64_t y = 0; y < image.height; ++y)
      for (std::int64_t x = 0; x < image.width; ++x) out.at(c, y, x) = image.at(c, image.height - 1 - y, x);
  return out;
}

Image rotate_flip(const Image& image, const RotateFlipParams& p) {
  Image out = rotate(image, p.angle_degrees, border_median(image));
  if (p.flip_horizontal) out = flip_horizontal(out);
  if (p.flip_vertical) out = flip_vertical(out);
  return out;
}

Image brightness(const Image& image, const BrightnessParams& p) {
  Image out = image;
  for (float& v : out.pixels) v = clamp01(p.scale * v + p.shift);
  return out;
}

Image contrast_gamma(const Image& image, const ContrastGammaParams& p) {
  CTC_CHECK(p.gamma > 0, "contrast_gamma: gamma must be positive, got ", p.gamma);
  // x^gamma from a table of kGammaTable + 1 knots on [0, 1], linearly
  // interpolated: the error (largest near 0, about 2e-4 for gamma 0.7) is far
  // below one 8-bit step, and a table is 20x faster than pow per pixel.
  constexpr int kGammaTable = 1024;
  std::vector<float> table;
  if (p.gamma != 1.0) {
    table.resize(kGammaTable + 2);
    for (int i = 0; i <= kGammaTable; ++i) table[static_cast<std::size_t>(i)] = static_cast<float>(std::pow(double(i) / kGammaTable, p.gamma));
    table[kGammaTable + 1] = table[kGammaTable];
  }
  Image out = image;
  const std::size_t plane = static_cast<std::size_t>(image.height * image.width);
  for (std::int64_t c = 0; c < image.channels; ++c) {
    float* v = out.pixels.data() + static_cast<std::size_t>(c) * plane;
    double sum = 0;
    for (std::size_t i = 0; i < plane; ++i) {
      if (!table.empty()) {
        const float t = std::clamp(v[i], 0.0f, 1.0f) * kGammaTable;
        const auto k = static_cast<std::size_t>(t);
        const float a = t - static_cast<float>(k);
        v[i] = table[k] + a * (table[k + 1] - table[k]);
      }
      sum += v[i];
    }
    const auto mean = static_cast<float>(sum / static_cast<double>(plane));
    const auto contrast = static_cast<float>(p.contrast);
    for (std::size_t i = 0; i < plane; ++i) v[i] = std::clamp(mean + contrast * (v[i] - mean), 0.0f, 1.0f);
  }
  return out;
}

AugmentParams draw_augment(AugmentKind kind, const Seed& seed) {
  AugmentParams p;
  p.kind = kind;
  switch (kind) {
    case AugmentKind::rotate_flip: p.rotate_flip = draw_rotate_flip(seed); break;
    case AugmentKind::brightness: p.brightness = draw_brightness(seed); break;
    case AugmentKind::contrast_gamma: p.contrast_gamma = draw_contrast_gamma(seed); break;
    case AugmentKind::none: break;
  }
  return p;
}

Image apply_augment(const Image& image, const AugmentParams& p) {
  switch (p.kind) {
    case AugmentKind::rotate_flip: return rotate_flip(image, p.rotate_flip);
    case AugmentKind::brightness: return brightness(image, p.brightness);
    case AugmentKind::contrast_gamma: return contrast_gamma(image, p.contrast_gamma);
    case AugmentKind::none: break;
  }
  return image;
}

}  // namespace ctcscope
