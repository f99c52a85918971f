// inspect: the pooled statistics per class and channel, the warnings (dark,
// clipped, BF and DAPI sizes apart), and the contact sheet's layout.
#include <gtest/gtest.h>

#include "data/contact_sheet.h"
#include "data/inspect.h"
#include "data/png.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// Two CTCs and one leukocyte; BF counts base + k of 65535 (a 12-bit camera's
// few percent), DAPI 8-bit; the leukocyte's DAPI is a different size.
Manifest write_dataset(const std::string& dir, bool clip_dapi) {
  Manifest m;
  m.root = dir;
  for (int i = 0; i < 3; ++i) {
    Image bf(1, 10, 12), dapi(1, i == 2 ? 8 : 10, 12);
    for (std::size_t k = 0; k < bf.pixels.size(); ++k) bf.pixels[k] = static_cast<float>((600 + 10 * i + k) / 65535.0);
    for (std::size_t k = 0; k < dapi.pixels.size(); ++k) dapi.pixels[k] = clip_dapi ? 1.0f : static_cast<float>(k % 200 + 20) / 255.0f;
    CellRecord c;
    c.cell_id = "c" + std::to_string(i);
    c.label = i < 2 ? CellLabel::ctc : CellLabel::leukocyte;
    c.bf = c.cell_id + "_bf.png";
    c.dapi = c.cell_id + "_dapi.png";
    write_png(dir + "/" + c.bf, bf, 16);
    write_png(dir + "/" + c.dapi, dapi, 8);
    m.cells.push_back(c);
  }
  return m;
}

bool any_warning_contains(const DatasetInspection& d, const std::string& needle) {
  for (const auto& w : d.warnings) {
    if (w.find(needle) != std::string::npos) return true;
  }
  return false;
}

TEST(Inspect, PoolsEachClassAndChannelInCountsOfItsBitDepth) {
  const Manifest m = write_dataset(test::fresh_test_dir("inspect_pools"), false);
  const DatasetInspection d = inspect_dataset(m, {});
  ASSERT_EQ(d.groups.size(), 4u);  // ctc bf, ctc dapi, leukocyte bf, leukocyte dapi
  const InspectGroup& ctc_bf = d.groups[0];
  EXPECT_EQ(ctc_bf.label, CellLabel::ctc);
  EXPECT_EQ(ctc_bf.channel, Channel::bf);
  EXPECT_EQ(ctc_bf.images, 2);
  EXPECT_EQ(ctc_bf.bit_depths, std::set<int>{16});
  EXPECT_NEAR(ctc_bf.percentiles[0] * 65535, 600, 1e-6);        // min
  EXPECT_NEAR(ctc_bf.percentiles[4] * 65535, 600 + 10 + 119, 1e-6);  // max
  EXPECT_LT(ctc_bf.range_share, 0.01);
  EXPECT_EQ(d.groups[1].bit_depths, std::set<int>{8});
  EXPECT_TRUE(any_warning_contains(d, "ctc bf images use"));
  EXPECT_TRUE(any_warning_contains(d, "different sizes (first: c2)"));
  EXPECT_FALSE(any_warning_contains(d, "clipped"));
}

TEST(Inspect, WarnsOfClippedImages) {
  const Manifest m = write_dataset(test::fresh_test_dir("inspect_clipped"), true);
  const DatasetInspection d = inspect_dataset(m, {});
  EXPECT_TRUE(any_warning_contains(d, "ctc dapi images have 100.0% of pixels at full scale"));
}

TEST(ContactSheet, OneRowPerPickedCellAndOneColumnPerView) {
  const Manifest m = write_dataset(test::fresh_test_dir("inspect_sheet"), false);
  const auto cells = contact_sheet_cells(m, 1);
  ASSERT_EQ(cells, (std::vector<std::int64_t>{0, 2}));  // one CTC, one leukocyte
  CellImageSettings settings;
  settings.intensity = parse_intensity("percentile");
  const Image sheet = contact_sheet(m, cells, settings, 16, 0);
  EXPECT_EQ(sheet.height, 2 * (16 + kContactSheetGap));
  EXPECT_EQ(sheet.width, static_cast<std::int64_t>(std::size(kContactSheetColumns)) * (16 + kContactSheetGap));
  // Column 0 (as decoded) is dark, column 1 (as fed) is stretched to the full range.
  float decoded_max = 0, fed_max = 0;
  for (std::int64_t y = 0; y < 16; ++y) {
    for (std::int64_t x = 0; x < 16; ++x) {
      decoded_max = std::max(decoded_max, sheet.at(0, y, x));
      fed_max = std::max(fed_max, sheet.at(0, y, 18 + x));
    }
  }
  EXPECT_LT(decoded_max, 0.02f);
  EXPECT_GT(fed_max, 0.95f);
}

}  // namespace
}  // namespace ctcscope
