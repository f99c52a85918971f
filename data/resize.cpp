// Separable resize: a per-axis table of (input index, weight) for each
// output index (area averaging down, bilinear up), applied rows then columns.
#include "data/resize.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "base/error.h"

namespace ctcscope {
namespace {

struct Tap {
  std::int64_t index;
  double weight;
};

// taps[j]: the input samples output j is made of.
std::vector<std::vector<Tap>> axis_taps(std::int64_t in, std::int64_t out) {
  std::vector<std::vector<Tap>> taps(static_cast<std::size_t>(out));
  const double scale = static_cast<double>(in) / static_cast<double>(out);
  for (std::int64_t j = 0; j < out; ++j) {
    auto& t = taps[static_cast<std::size_t>(j)];
    if (in == out) {
      t.push_back({j, 1.0});
    } else if (in > out) {  // area: overlap of [j*s, (j+1)*s) with each [i, i+1)
      const double lo = j * scale, hi = (j + 1) * scale;
      const auto first = static_cast<std::int64_t>(std::floor(lo));
      const auto last = std::min(in - 1, static_cast<std::int64_t>(std::ceil(hi)) - 1);
      for (std::int64_t i = first; i <= last; ++i) {
        const double overlap = std::min(hi, i + 1.0) - std::max(lo, static_cast<double>(i));
        if (overlap > 1e-12) t.push_back({i, overlap / scale});
      }
    } else {  // bilinear, half-pixel centres
      const double src = std::clamp((j + 0.5) * scale - 0.5, 0.0, static_cast<double>(in - 1));
      const auto i0 = static_cast<std::int64_t>(std::floor(src));
      const std::int64_t i1 = std::min(i0 + 1, in - 1);
      const double f = src - i0;
      t.push_back({i0, 1.0 - f});
      if (f > 0.0) t.push_back({i1, f});
    }
  }
  return taps;
}

}  // namespace

Image resize(const Image& image, std::int64_t height, std::int64_t width) {
  CTC_CHECK(!image.empty(), "resize: empty image");
  CTC_CHECK(height > 0 && width > 0, "resize: output size must be positive, got ", height, "x", width);
  if (height == image.height && width == image.width) return image;
  const auto tx = axis_taps(image.width, width);
  const auto ty = axis_taps(image.height, height);
  const std::int64_t C = image.channels, H = image.height;
  // Columns first: [C][H][width], in double for exact means.
  std::vector<double> mid(static_cast<std::size_t>(C * H * width));
  for (std::int64_t c = 0; c < C; ++c) {
    for (std::int64_t y = 0; y < H; ++y) {
      for (std::int64_t x = 0; x < width; ++x) {
        double sum = 0.0;
        for (const Tap& t : tx[static_cast<std::size_t>(x)]) sum += t.weight * image.at(c, y, t.index);
        mid[static_cast<std::size_t>((c * H + y) * width + x)] = sum;
      }
    }
  }
  Image out(C, height, width);
  for (std::int64_t c = 0; c < C; ++c) {
    for (std::int64_t y = 0; y < height; ++y) {
      for (std::int64_t x = 0; x < width; ++x) {
        double sum = 0.0;
        for (const Tap& t : ty[static_cast<std::size_t>(y)]) {
          sum += t.weight * mid[static_cast<std::size_t>((c * H + t.index) * width + x)];
        }
        out.at(c, y, x) = static_cast<float>(sum);
      }
    }
  }
  return out;
}

Image center_crop_or_pad(const Image& image, std::int64_t height, std::int64_t width, float fill) {
  CTC_CHECK(!image.empty(), "center_crop_or_pad: empty image");
  CTC_CHECK(height > 0 && width > 0, "center_crop_or_pad: size must be positive, got ", height, "x", width);
  Image out(image.channels, height, width, fill);
  // Offset of the output's origin in the input; negative when padding. C++
  // division truncates towards zero, so an odd extra row is cut from, or
  // padded at, the bottom (and the right) in both cases.
  const std::int64_t oy = (image.height - height) / 2;
  const std::int64_t ox = (image.width - width) / 2;
  for (std::int64_t c = 0; c < image.channels; ++c) {
    for (std::int64_t y = 0; y < height; ++y) {
      const std::int64_t sy = y + oy;
      if (sy < 0 || sy >= image.height) continue;
      for (std::int64_t x = 0; x < width; ++x) {
        const std::int64_t sx = x + ox;
        if (sx >= 0 && sx < image.width) out.at(c, y, x) = image.at(c, sy, sx);
      }
    }
  }
  return out;
}

}  // namespace ctcscope
