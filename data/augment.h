// The paper's three augmentation operations (section 3.3: "random
// transformations like rotations and flipping, along with adjustments to
// brightness and color"), each a seeded draw of parameters (a struct that
// prints itself for the run record) and a pure function applying them.
// Images are float in [0, 1], the output of the intensity stage
// (data/intensity.h), so every parameter is relative to the cell's own
// range: a brightness shift of 0.08 or a gamma of 1.4 means the same change
// on an 8-bit file and on a 12-bit camera's 16-bit file. Outputs are clamped
// to [0, 1].
#pragma once

#include <string>
#include <vector>

#include "data/image.h"
#include "tensor/random.h"

namespace ctcscope {

enum class AugmentKind { none, rotate_flip, brightness, contrast_gamma };

const char* augment_kind_name(AugmentKind kind);  // "none", "rotate_flip", ...
AugmentKind augment_kind_from_name(const std::string& name);

// Parameter ranges, with their reasons. The paper gives no values; these are
// the usual torchvision choices, kept mild because a BF cell's size and
// brightness are themselves class cues.
//
// Rotation: any angle, uniform in [0, 360). A cell in suspension has no
// preferred orientation, so every angle is as real as the acquired one.
// Flips: horizontal and vertical, each with probability 1/2 (mirror images of
// a cell are equally plausible).
inline constexpr double kRotateMaxDegrees = 360.0;
inline constexpr double kFlipProbability = 0.5;
// Brightness: y = scale * x + shift. scale in [0.8, 1.2] is torchvision's
// ColorJitter(brightness=0.2); shift in [-0.08, 0.08] covers the spread of
// background gray level between DEPArray runs (illumination, exposure).
inline constexpr double kBrightnessScaleMin = 0.8, kBrightnessScaleMax = 1.2;
inline constexpr double kBrightnessShiftMax = 0.08;
// Contrast: y = m + c (x - m), m the image mean, c in [0.7, 1.3]
// (ColorJitter(contrast=0.3)); bright-field cells are low-contrast and their
// contrast varies with focus. Gamma: x^g, log g uniform in [log 0.7, log 1.4]
// (symmetric in the log, so as many darkening as brightening draws). On gray
// images this is the "color" adjustment: saturation and hue do not exist.
inline constexpr double kContrastMin = 0.7, kContrastMax = 1.3;
inline constexpr double kGammaMin = 0.7, kGammaMax = 1.4;

struct RotateFlipParams {
  double angle_degrees = 0.0;  // counterclockwise as displayed, about the centre
  bool flip_horizontal = false;  // mirror left-right, applied after the rotation
  bool flip_vertical = false;    // mirror top-bottom, applied after the rotation
  std::string str() const;       // "rotate_flip(angle=123.4,hflip=1,vflip=0)"
};

struct BrightnessParams {
  double scale = 1.0;
  double shift = 0.0;
  std::string str() const;
};

struct ContrastGammaParams {
  double contrast = 1.0;
  double gamma = 1.0;
  std::string str() const;
};

// Draws from Philox(seed); each draw depends only on the seed.
RotateFlipParams draw_rotate_flip(const Seed& seed);
BrightnessParams draw_brightness(const Seed& seed);
ContrastGammaParams draw_contrast_gamma(const Seed& seed);

// Bilinear rotation about the image centre ((W-1)/2, (H-1)/2), same size out.
// Samples outside the image take `fill` per channel (fill.size() == channels),
// blended bilinearly at the edge so the border is smooth.
Image rotate(const Image& image, double angle_degrees, const std::vector<float>& fill);
Image flip_horizontal(const Image& image);
Image flip_vertical(const Image& image);
// Per channel, the median of the pixels on the image's outer frame: the
// background a rotated-in corner should show (the cell sits in the middle).
std::vector<float> border_median(const Image& image);

// rotate(border_median) then the flips.
Image rotate_flip(const Image& image, const RotateFlipParams& p);
// clamp(scale * x + shift).
Image brightness(const Image& image, const BrightnessParams& p);
// Gamma first (x^gamma), then contrast about the per-channel mean of the
// gamma-corrected image, then clamp: the mean moves only by the clamp.
Image contrast_gamma(const Image& image, const ContrastGammaParams& p);

// One augmentation of any kind, its drawn parameters recorded.
struct AugmentParams {
  AugmentKind kind = AugmentKind::none;
  RotateFlipParams rotate_flip;
  BrightnessParams brightness;
  ContrastGammaParams contrast_gamma;
  std::string str() const;  // the kind's own str(), or "none"
};

AugmentParams draw_augment(AugmentKind kind, const Seed& seed);
Image apply_augment(const Image& image, const AugmentParams& params);

}  // namespace ctcscope
