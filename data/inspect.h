// A look at a dataset before training on it: per class and channel, what the
// files hold (bit depths, sizes, percentiles, the share of the range used and
// of clipped pixels), and warnings a person should act on: a dark dataset (a
// 12-bit camera in 16-bit files), clipping, BF and DAPI of different sizes.
#pragma once

#include <array>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "data/cell_image.h"
#include "data/manifest.h"

namespace ctcscope {

// Percentiles reported by inspect, and the range share below which a
// dataset is called dark.
inline constexpr double kInspectPercentiles[5] = {0.0, 1.0, 50.0, 99.8, 100.0};
inline constexpr double kDarkRangeShare = 0.10;
inline constexpr double kClippedShare = 0.01;

struct InspectGroup {
  CellLabel label = CellLabel::ctc;
  Channel channel = Channel::bf;
  std::int64_t images = 0;
  std::set<int> bit_depths;
  std::int64_t min_height = 0, max_height = 0, min_width = 0, max_width = 0;
  // kInspectPercentiles of the pooled samples, in [0, 1] of each file's bit
  // depth (counts = value * (2^bits - 1)).
  std::array<double, 5> percentiles{};
  double range_share = 0;       // (99.8th - 1st percentile) of the full scale
  double share_at_zero = 0;     // samples at count 0
  double share_at_full = 0;     // samples at the bit depth's largest count
};

struct DatasetInspection {
  std::string root;
  std::int64_t cells = 0;
  std::vector<InspectGroup> groups;   // per (label, channel) that has images
  std::vector<std::string> warnings;  // sentences for a person
};

// Reads every image of the manifest with the given read options (the
// intensity stage is not applied: this is what the files hold).
DatasetInspection inspect_dataset(const Manifest& manifest, const CellImageSettings& settings);

}  // namespace ctcscope
