// Composing the contact sheet tile by tile.
#include "data/contact_sheet.h"

#include <filesystem>

#include "data/augment.h"
#include "data/resize.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

void paste(Image& sheet, const Image& tile, std::int64_t row, std::int64_t column, std::int64_t size) {
  const std::int64_t y0 = row * (size + kContactSheetGap), x0 = column * (size + kContactSheetGap);
  for (std::int64_t y = 0; y < size; ++y) {
    for (std::int64_t x = 0; x < size; ++x) sheet.at(0, y0 + y, x0 + x) = tile.at(0, y, x);
  }
}

}  // namespace

std::vector<std::int64_t> contact_sheet_cells(const Manifest& manifest, std::int64_t per_class) {
  std::vector<std::int64_t> picked;
  for (CellLabel label : {CellLabel::ctc, CellLabel::leukocyte}) {
    std::vector<std::int64_t> of_class;
    for (std::size_t i = 0; i < manifest.cells.size(); ++i) {
      if (manifest.cells[i].label == label) of_class.push_back(static_cast<std::int64_t>(i));
    }
    const auto n = static_cast<std::int64_t>(of_class.size());
    const std::int64_t take = std::min(per_class, n);
    for (std::int64_t k = 0; k < take; ++k) picked.push_back(of_class[static_cast<std::size_t>(k * n / take)]);
  }
  return picked;
}

Image contact_sheet(const Manifest& manifest, const std::vector<std::int64_t>& cells,
                    const CellImageSettings& settings, std::int64_t tile, std::uint64_t seed) {
  constexpr auto columns = static_cast<std::int64_t>(std::size(kContactSheetColumns));
  const auto rows = static_cast<std::int64_t>(cells.size());
  Image sheet(1, std::max<std::int64_t>(1, rows) * (tile + kContactSheetGap),
              columns * (tile + kContactSheetGap), 1.0f);
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto index = cells[static_cast<std::size_t>(r)];
    const CellRecord& cell = manifest.cells.at(static_cast<std::size_t>(index));
    auto decoded = [&](Channel channel) {
      const std::string& rel = channel == Channel::bf ? cell.bf : cell.dapi;
      if (rel.empty()) return Image(1, tile, tile, 0.0f);
      return read_image((std::filesystem::path(manifest.root) / rel).string(), settings.read_options(channel));
    };
    auto fed = [&](const Image& image, Channel channel) {
      return resize(apply_intensity(image, settings.intensity, static_cast<int>(channel)), tile, tile);
    };
    const Image bf = decoded(Channel::bf), dapi = decoded(Channel::dapi);
    const Image bf_fed = fed(bf, Channel::bf);
    const auto key = static_cast<std::uint64_t>(index);
    const Image tiles[columns] = {
        resize(bf, tile, tile),
        bf_fed,
        apply_augment(bf_fed, draw_augment(AugmentKind::rotate_flip, Seed{"inspect.augment.rotate_flip", key, seed})),
        apply_augment(bf_fed, draw_augment(AugmentKind::brightness, Seed{"inspect.augment.brightness", key, seed})),
        apply_augment(bf_fed,
                      draw_augment(AugmentKind::contrast_gamma, Seed{"inspect.augment.contrast_gamma", key, seed})),
        resize(dapi, tile, tile),
        cell.dapi.empty() ? Image(1, tile, tile, 0.0f) : fed(dapi, Channel::dapi),
    };
    for (std::int64_t c = 0; c < columns; ++c) paste(sheet, tiles[c], r, c, tile);
  }
  return sheet;
}

}  // namespace ctcscope
