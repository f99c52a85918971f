// Pooling each (class, channel) group's samples and sizes, then the warnings.
#include "data/inspect.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>

#include "data/sample_histogram.h"

namespace ctcscope {
namespace {

std::string percent(double share) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * share);
  return buf;
}

std::string group_name(const InspectGroup& g) {
  return std::string(g.label == CellLabel::ctc ? "ctc" : "leukocyte") + " " + channel_name(g.channel);
}

void add_size(InspectGroup& g, const Image& image) {
  if (g.images == 0) {
    g.min_height = g.max_height = image.height;
    g.min_width = g.max_width = image.width;
  }
  g.min_height = std::min(g.min_height, image.height);
  g.max_height = std::max(g.max_height, image.height);
  g.min_width = std::min(g.min_width, image.width);
  g.max_width = std::max(g.max_width, image.width);
  ++g.images;
  g.bit_depths.insert(image.bit_depth);
}

void add_warnings(DatasetInspection& out, std::int64_t size_mismatches, const std::string& first_mismatch) {
  for (const InspectGroup& g : out.groups) {
    if (g.range_share < kDarkRangeShare) {
      out.warnings.push_back(group_name(g) + " images use " + percent(g.range_share) +
                             " of their range (1st to 99.8th percentile): a camera of fewer bits than the file, "
                             "or a dim exposure. Train with --intensity percentile or dataset (not none), or "
                             "range:LO:HI with the camera's counts.");
    }
    if (g.share_at_full > kClippedShare || g.share_at_zero > kClippedShare) {
      out.warnings.push_back(group_name(g) + " images have " + percent(g.share_at_full) + " of pixels at full scale and " +
                             percent(g.share_at_zero) + " at zero: clipped by the exposure; what was there is lost.");
    }
    if (g.bit_depths.size() > 1) {
      out.warnings.push_back(group_name(g) + " images mix bit depths: counts of different files do not mean the same.");
    }
  }
  if (size_mismatches > 0) {
    out.warnings.push_back(std::to_string(size_mismatches) + " cells have BF and DAPI images of different sizes (first: " +
                           first_mismatch + "); both are resized to the network's input, so they no longer align.");
  }
}

}  // namespace

DatasetInspection inspect_dataset(const Manifest& manifest, const CellImageSettings& settings) {
  DatasetInspection out;
  out.root = manifest.root;
  out.cells = static_cast<std::int64_t>(manifest.cells.size());
  std::map<std::pair<int, int>, std::pair<InspectGroup, SampleHistogram>> groups;
  std::int64_t size_mismatches = 0;
  std::string first_mismatch;
  for (const CellRecord& cell : manifest.cells) {
    std::int64_t sizes[2][2] = {{0, 0}, {0, 0}};
    for (Channel channel : {Channel::bf, Channel::dapi}) {
      const std::string& rel = channel == Channel::bf ? cell.bf : cell.dapi;
      if (rel.empty()) continue;
      const Image image =
          read_image((std::filesystem::path(manifest.root) / rel).string(), settings.read_options(channel));
      auto& [group, histogram] = groups[{static_cast<int>(cell.label), static_cast<int>(channel)}];
      group.label = cell.label;
      group.channel = channel;
      add_size(group, image);
      histogram.add(image);
      sizes[static_cast<int>(channel)][0] = image.height;
      sizes[static_cast<int>(channel)][1] = image.width;
    }
    if (!cell.dapi.empty() && (sizes[0][0] != sizes[1][0] || sizes[0][1] != sizes[1][1])) {
      if (size_mismatches++ == 0) first_mismatch = cell.cell_id;
    }
  }
  for (auto& [key, entry] : groups) {
    auto& [group, histogram] = entry;
    for (std::size_t k = 0; k < group.percentiles.size(); ++k) {
      group.percentiles[k] = histogram.percentile(kInspectPercentiles[k]);
    }
    group.range_share = group.percentiles[3] - group.percentiles[1];
    group.share_at_zero = histogram.share_at_zero();
    group.share_at_full = histogram.share_at_full_scale();
    out.groups.push_back(group);
  }
  add_warnings(out, size_mismatches, first_mismatch);
  return out;
}

}  // namespace ctcscope
