// Training-set expansion per ablation, and the seeds of augmented copies.
#include "data/expansion.h"

#include <sstream>

#include "base/error.h"

namespace ctcscope {
namespace {

constexpr AugmentKind kAugmentOrder[] = {AugmentKind::rotate_flip, AugmentKind::brightness,
                                         AugmentKind::contrast_gamma};

// How many of kAugmentOrder the main channel gets, and whether the other
// channel's plain image is added.
struct AblationRule {
  int augmentations;
  bool other_channel;
};

AblationRule rule_of(Ablation a) {
  switch (a) {
    case Ablation::aug1: return {1, false};
    case Ablation::aug2: return {2, false};
    case Ablation::bf_no_dapi: return {3, false};
    case Ablation::bf_dapi_no_aug: return {0, true};
    case Ablation::bf_dapi: return {3, true};
    case Ablation::dapi_no_bf: return {3, false};
    case Ablation::dapi_bf: return {3, true};
  }
  return {0, false};
}

Channel other(Channel c) { return c == Channel::bf ? Channel::dapi : Channel::bf; }

bool has_channel(const CellRecord& cell, Channel c) { return c == Channel::bf ? !cell.bf.empty() : !cell.dapi.empty(); }

void check_index(const std::vector<CellRecord>& cells, std::int64_t i) {
  CTC_CHECK(i >= 0 && i < static_cast<std::int64_t>(cells.size()), "cell index ", i, " out of range (",
            cells.size(), " cells)");
}

void check_main_channel(const CellRecord& cell, Channel main) {
  CTC_CHECK(has_channel(cell, main), "cell '", cell.cell_id, "' (manifest line ", cell.line, ") has no ",
            channel_name(main), " image, the main channel of this ablation");
}

}  // namespace

const char* channel_name(Channel channel) { return channel == Channel::bf ? "bf" : "dapi"; }

const char* ablation_name(Ablation a) {
  switch (a) {
    case Ablation::aug1: return "AUG1";
    case Ablation::aug2: return "AUG2";
    case Ablation::bf_no_dapi: return "BF_noDAPI";
    case Ablation::bf_dapi_no_aug: return "BF_DAPI_noAUG";
    case Ablation::bf_dapi: return "BF_DAPI";
    case Ablation::dapi_no_bf: return "DAPI_noBF";
    case Ablation::dapi_bf: return "DAPI_BF";
  }
  return "?";
}

std::vector<Ablation> all_ablations() {
  return {Ablation::aug1,    Ablation::aug2,       Ablation::bf_no_dapi, Ablation::bf_dapi_no_aug,
          Ablation::bf_dapi, Ablation::dapi_no_bf, Ablation::dapi_bf};
}

Ablation ablation_from_name(const std::string& name) {
  std::string known;
  for (Ablation a : all_ablations()) {
    if (name == ablation_name(a)) return a;
    if (!known.empty()) known.append(", ");
    known.append(ablation_name(a));
  }
  CTC_FAIL("unknown ablation '", name, "' (", known, ")");
}

Channel main_channel(Ablation a) {
  return (a == Ablation::dapi_no_bf || a == Ablation::dapi_bf) ? Channel::dapi : Channel::bf;
}

const char* augment_mode_name(AugmentMode mode) { return mode == AugmentMode::offline ? "offline" : "online"; }

AugmentMode augment_mode_from_name(const std::string& name) {
  if (name == "offline") return AugmentMode::offline;
  if (name == "online") return AugmentMode::online;
  CTC_FAIL("unknown augmentation mode '", name, "' (offline, online)");
}

std::vector<TrainingItem> expand_cell(std::int64_t cell, Ablation ablation) {
  AblationRule rule = rule_of(ablation);
  Channel main = main_channel(ablation);
  std::vector<TrainingItem> items;
  std::int32_t copy = 0;
  items.push_back({cell, main, AugmentKind::none, copy++});
  for (int k = 0; k < rule.augmentations; ++k) items.push_back({cell, main, kAugmentOrder[k], copy++});
  if (rule.other_channel) items.push_back({cell, other(main), AugmentKind::none, copy++});
  return items;
}

std::vector<TrainingItem> expand_training(const std::vector<CellRecord>& cells,
                                          const std::vector<std::int64_t>& indices, Ablation ablation) {
  std::vector<TrainingItem> items;
  Channel main = main_channel(ablation);
  for (std::int64_t i : indices) {
    check_index(cells, i);
    const CellRecord& cell = cells[static_cast<std::size_t>(i)];
    check_main_channel(cell, main);
    for (const TrainingItem& item : expand_cell(i, ablation)) {
      if (has_channel(cell, item.channel)) items.push_back(item);
    }
  }
  return items;
}

std::vector<TrainingItem> evaluation_items(const std::vector<CellRecord>& cells,
                                           const std::vector<std::int64_t>& indices, Ablation ablation) {
  std::vector<TrainingItem> items;
  Channel main = main_channel(ablation);
  for (std::int64_t i : indices) {
    check_index(cells, i);
    check_main_channel(cells[static_cast<std::size_t>(i)], main);
    items.push_back({i, main, AugmentKind::none, 0});
  }
  return items;
}

Seed augment_seed(const TrainingItem& item, AugmentMode mode, std::int64_t epoch, std::uint64_t seed) {
  std::string purpose = "augment.";
  purpose.append(augment_kind_name(item.augment));
  // 16 copies per cell, 2^36 cells, and in online mode 2^24 epochs, in 64 bits.
  std::uint64_t index = (static_cast<std::uint64_t>(item.cell) << 4) | (static_cast<std::uint64_t>(item.copy) & 15u);
  if (mode == AugmentMode::online) {
    purpose.append(".online");
    index |= (static_cast<std::uint64_t>(epoch) & 0xFFFFFFu) << 40;
  }
  return Seed{purpose, index, seed};
}

std::string item_str(const TrainingItem& item) {
  std::ostringstream out;
  out << "cell=" << item.cell << " channel=" << channel_name(item.channel)
      << " augment=" << augment_kind_name(item.augment) << " copy=" << item.copy;
  return out.str();
}

}  // namespace ctcscope
