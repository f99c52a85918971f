// Resizing an Image to the network's input (148x148 in the paper, the size
// of its smallest image). Separable, each axis on its own:
//  - downscaling: area averaging (box filter with fractional coverage), as
//    OpenCV's INTER_AREA: output pixel j covers input [j*s, (j+1)*s), s = in/out,
//    and is the mean of the input over that span, partly covered pixels
//    weighted by the covered fraction. Every input pixel counts; no aliasing.
//  - upscaling: bilinear with half-pixel centres (OpenCV INTER_LINEAR,
//    PyTorch align_corners=False): src = (j + 0.5) * in/out - 0.5, clamped at
//    the edges.
//  - the same size: a copy.
// Both filters have weights summing to 1, so a constant image stays constant.
#pragma once

#include <cstdint>

#include "data/image.h"

namespace ctcscope {

inline constexpr std::int64_t kInputSize = 148;  // the paper's input side

Image resize(const Image& image, std::int64_t height, std::int64_t width);
inline Image resize_to_input(const Image& image, std::int64_t size = kInputSize) {
  return resize(image, size, size);
}

// Cuts the centre height x width window; where the image is smaller, pads
// with `fill` on both sides (the extra pixel, if odd, at the bottom/right).
Image center_crop_or_pad(const Image& image, std::int64_t height, std::int64_t width, float fill = 0.0f);

}  // namespace ctcscope
