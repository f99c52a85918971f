// The intensity stage: a decoded image's samples mapped to [0, 1] so that the
// cell fills the range, whatever the camera wrote. Applied to every image
// (training, validation, test, prediction) after decoding and before resizing,
// augmentation and the ImageNet normalisation.
//
// Why: a 12-bit camera's counts in a 16-bit file use a few percent of the
// range (bright field 350..1700 of 65535 reads as 0.005..0.026); divided by
// the largest count of the bit depth the network sees a black square, and
// absolute augmentations (a brightness shift of 0.08) become larger than the
// whole image.
//
// Modes (x a sample in [0, 1] of its bit depth, as decoded):
//   percentile[:P_LO:P_HI]  per image, its P_LO and P_HI percentiles map to 0
//                           and 1, clipped (default 1 and 99.8, as csbdeep);
//   dataset[:P_LO:P_HI]     one low/high pair per channel (BF, DAPI): the same
//                           percentiles over the training cells' pixels, so
//                           brightness differences between cells survive;
//                           fitted by fit_dataset_levels, stored in the
//                           checkpoint, reused unchanged by eval and predict;
//   range:LO:HI             fixed counts given by the user (range:0:4095 for
//                           a 12-bit camera), counts of each file's bit depth;
//   none                    samples as decoded (count / (2^bits - 1)).
// Where high <= low (a constant image) every sample maps to 0.5.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "data/image.h"

namespace ctcscope {

enum class IntensityMode { none, percentile, dataset, range };

const char* intensity_mode_name(IntensityMode mode);  // "none", "percentile", ...

// Low/high in [0, 1] sample units: what maps to 0 and to 1.
struct IntensityLevels {
  double low = 0.0, high = 1.0;
};

// Default percentiles of the percentile and dataset modes (csbdeep's).
inline constexpr double kLowPercentile = 1.0, kHighPercentile = 99.8;

struct Intensity {
  IntensityMode mode = IntensityMode::none;  // as decoded; the option's default is kDefaultIntensity
  double low = kLowPercentile, high = kHighPercentile;  // percentiles (percentile, dataset) or counts (range)
  // dataset mode only: per channel (index: ImageChannel, bf = 0, dapi = 1),
  // filled by fit_dataset_levels; `fitted` false until then.
  std::array<IntensityLevels, 2> levels{};
  bool fitted = false;

  // "percentile:1:99.8", "dataset:1:99.8", "range:0:4095", "none": the
  // option's value, without fitted levels.
  std::string spec() const;
  // spec() plus the fitted levels of dataset mode:
  // "dataset:1:99.8;bf=0.00534:0.0261;dapi=0:0.0351". What checkpoints store.
  std::string str() const;
};

// The default mode: chosen by measurement (README, "Your own images").
inline constexpr const char* kDefaultIntensity = "percentile";

// Parses spec() or str() forms; errors name the value and the valid forms.
Intensity parse_intensity(const std::string& text);

// What maps to 0 and to 1 for this image, in sample units.
IntensityLevels image_levels(const Image& image, const Intensity& intensity, int channel_index);

// The stage itself on a decoded image (any channel count), for the image of
// channel `channel_index` (0 = BF, 1 = DAPI; dataset mode's levels).
Image apply_intensity(const Image& image, const Intensity& intensity, int channel_index);

// Percentile (0..100) of the samples, by linear interpolation between order
// statistics as numpy.percentile's default.
double sample_percentile(std::vector<float> samples, double percent);

}  // namespace ctcscope
