// A contact sheet: a few cells per row, each shown as its files hold it and
// as the network is fed it (after the intensity stage and the resize), with
// one augmented copy of each kind, so a dark, clipped or mis-read dataset is
// seen before it is trained on.
#pragma once

#include <cstdint>
#include <vector>

#include "data/cell_image.h"
#include "data/manifest.h"

namespace ctcscope {

// The columns, left to right.
inline constexpr const char* kContactSheetColumns[] = {
    "BF as decoded", "BF as fed", "BF rotate+flip", "BF brightness", "BF contrast+gamma", "DAPI as decoded",
    "DAPI as fed"};
inline constexpr std::int64_t kContactSheetGap = 2;  // white pixels between tiles

// `per_class` cells of each class, spread evenly over the manifest's order;
// their row order is the returned cell indices'.
std::vector<std::int64_t> contact_sheet_cells(const Manifest& manifest, std::int64_t per_class);

// Gray [1, rows * (tile + gap), columns * (tile + gap)]; each tile resized to
// tile x tile; augmentations drawn from Seed{"inspect.augment", cell, seed}.
// A cell without DAPI shows black DAPI tiles.
Image contact_sheet(const Manifest& manifest, const std::vector<std::int64_t>& cells,
                    const CellImageSettings& settings, std::int64_t tile, std::uint64_t seed);

}  // namespace ctcscope
