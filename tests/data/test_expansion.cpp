// The training-set expansion: Table 1's counts, every ablation's channel and
// augmentation rules, evaluation items, and the augmentation seeds.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "data/expansion.h"
#include "base/error.h"

namespace ctcscope {
namespace {

// The paper's training split: 479 CTC and 303 leukocyte cells (Table 1).
std::vector<CellRecord> paper_training_cells() {
  std::vector<CellRecord> cells;
  for (int i = 0; i < 479 + 303; ++i) {
    CellRecord r;
    r.cell_id = std::to_string(i);
    r.label = i < 479 ? CellLabel::ctc : CellLabel::leukocyte;
    r.bf = std::string("bf/").append(r.cell_id).append(".png");
    r.dapi = std::string("dapi/").append(r.cell_id).append(".png");
    cells.push_back(r);
  }
  return cells;
}

std::vector<std::int64_t> all_indices(std::size_t n) {
  std::vector<std::int64_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::int64_t>(i);
  return v;
}

std::map<CellLabel, std::int64_t> count_by_label(const std::vector<CellRecord>& cells,
                                                 const std::vector<TrainingItem>& items) {
  std::map<CellLabel, std::int64_t> n;
  for (const auto& item : items) ++n[cells[static_cast<std::size_t>(item.cell)].label];
  return n;
}

TEST(Expansion, Table1CountsForTheDefault) {
  auto cells = paper_training_cells();
  auto items = expand_training(cells, all_indices(cells.size()), kDefaultAblation);
  EXPECT_EQ(kDefaultAblation, Ablation::bf_dapi);
  EXPECT_EQ(items.size(), 3910u);  // "a final number of 3910 images" (3.3)
  auto n = count_by_label(cells, items);
  EXPECT_EQ(n[CellLabel::ctc], 2395);
  EXPECT_EQ(n[CellLabel::leukocyte], 1515);
}

TEST(Expansion, EveryAblationsCountsAndChannels) {
  struct Expect {
    Ablation ablation;
    const char* name;
    int per_cell;
    Channel main;
    std::vector<std::pair<Channel, AugmentKind>> items;
  };
  using A = AugmentKind;
  const Channel bf = Channel::bf, dapi = Channel::dapi;
  const std::vector<Expect> expects = {
      {Ablation::aug1, "AUG1", 2, bf, {{bf, A::none}, {bf, A::rotate_flip}}},
      {Ablation::aug2, "AUG2", 3, bf, {{bf, A::none}, {bf, A::rotate_flip}, {bf, A::brightness}}},
      {Ablation::bf_no_dapi, "BF_noDAPI", 4, bf,
       {{bf, A::none}, {bf, A::rotate_flip}, {bf, A::brightness}, {bf, A::contrast_gamma}}},
      {Ablation::bf_dapi_no_aug, "BF_DAPI_noAUG", 2, bf, {{bf, A::none}, {dapi, A::none}}},
      {Ablation::bf_dapi, "BF_DAPI", 5, bf,
       {{bf, A::none}, {bf, A::rotate_flip}, {bf, A::brightness}, {bf, A::contrast_gamma}, {dapi, A::none}}},
      {Ablation::dapi_no_bf, "DAPI_noBF", 4, dapi,
       {{dapi, A::none}, {dapi, A::rotate_flip}, {dapi, A::brightness}, {dapi, A::contrast_gamma}}},
      {Ablation::dapi_bf, "DAPI_BF", 5, dapi,
       {{dapi, A::none}, {dapi, A::rotate_flip}, {dapi, A::brightness}, {dapi, A::contrast_gamma}, {bf, A::none}}},
  };
  ASSERT_EQ(all_ablations().size(), expects.size());
  auto cells = paper_training_cells();
  for (const Expect& e : expects) {
    EXPECT_EQ(ablation_name(e.ablation), std::string(e.name));
    EXPECT_EQ(ablation_from_name(e.name), e.ablation);
    EXPECT_EQ(main_channel(e.ablation), e.main) << e.name;
    auto items = expand_training(cells, all_indices(cells.size()), e.ablation);
    EXPECT_EQ(items.size(), cells.size() * static_cast<std::size_t>(e.per_cell)) << e.name;
    auto n = count_by_label(cells, items);
    EXPECT_EQ(n[CellLabel::ctc], 479 * e.per_cell) << e.name;
    EXPECT_EQ(n[CellLabel::leukocyte], 303 * e.per_cell) << e.name;
    auto one = expand_cell(7, e.ablation);
    ASSERT_EQ(one.size(), e.items.size()) << e.name;
    std::set<std::int32_t> copies;
    for (std::size_t k = 0; k < one.size(); ++k) {
      EXPECT_EQ(one[k].cell, 7);
      EXPECT_EQ(one[k].channel, e.items[k].first) << e.name << " item " << k;
      EXPECT_EQ(one[k].augment, e.items[k].second) << e.name << " item " << k;
      copies.insert(one[k].copy);
    }
    EXPECT_EQ(copies.size(), one.size()) << e.name << ": copies must tell the items apart";
    // Validation and test: the main channel only, never augmented.
    auto eval = evaluation_items(cells, {0, 500, 781}, e.ablation);
    ASSERT_EQ(eval.size(), 3u);
    for (const auto& item : eval) {
      EXPECT_EQ(item.channel, e.main) << e.name;
      EXPECT_EQ(item.augment, AugmentKind::none) << e.name;
    }
  }
  EXPECT_THROW(ablation_from_name("BF+DAPI"), Error);
}

TEST(Expansion, MissingDapiIsSkippedAsExtraAndAnErrorAsMain) {
  auto cells = paper_training_cells();
  cells[3].dapi.clear();
  auto items = expand_training(cells, {2, 3}, Ablation::bf_dapi);
  EXPECT_EQ(items.size(), 9u);
  for (const auto& item : items) EXPECT_FALSE(item.cell == 3 && item.channel == Channel::dapi);
  try {
    expand_training(cells, {2, 3}, Ablation::dapi_no_bf);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'3'"), std::string::npos) << e.what();
  }
  EXPECT_THROW(evaluation_items(cells, {3}, Ablation::dapi_bf), Error);
  EXPECT_THROW(expand_training(cells, {782}, Ablation::bf_dapi), Error);
}

TEST(Expansion, OfflineSeedsIgnoreTheEpochOnlineSeedsDoNot) {
  TrainingItem item{12, Channel::bf, AugmentKind::brightness, 2};
  auto off0 = augment_seed(item, AugmentMode::offline, 0, 5), off9 = augment_seed(item, AugmentMode::offline, 9, 5);
  EXPECT_EQ(off0.purpose, off9.purpose);
  EXPECT_EQ(off0.index, off9.index);
  EXPECT_EQ(off0.seed, 5u);
  auto on0 = augment_seed(item, AugmentMode::online, 0, 5), on1 = augment_seed(item, AugmentMode::online, 1, 5);
  EXPECT_NE(on0.index, on1.index);
  EXPECT_NE(draw_brightness(on0).str(), draw_brightness(on1).str());
  EXPECT_EQ(draw_brightness(off0).str(), draw_brightness(off9).str());
  // Different cells and copies draw differently.
  TrainingItem other_cell = item, other_copy = item;
  other_cell.cell = 13;
  other_copy.copy = 3;
  EXPECT_NE(augment_seed(other_cell, AugmentMode::offline, 0, 5).index, off0.index);
  EXPECT_NE(augment_seed(other_copy, AugmentMode::offline, 0, 5).index, off0.index);
  EXPECT_EQ(augment_mode_from_name("online"), AugmentMode::online);
  EXPECT_THROW(augment_mode_from_name("sometimes"), Error);
}

}  // namespace
}  // namespace ctcscope
