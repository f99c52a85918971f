// The offline expansion of the training set (paper, Table 1: x5 per cell)
// and the ablations of Table 3, as a list of training items: which cell,
// which channel, which augmentation, which copy. Items are cheap; images are
// made when the loader loads them (data/loader.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/augment.h"
#include "data/manifest.h"
#include "tensor/random.h"

namespace ctcscope {

enum class Channel { bf, dapi };
const char* channel_name(Channel channel);  // "bf", "dapi"

struct TrainingItem {
  std::int64_t cell = 0;  // index into the manifest's cells
  Channel channel = Channel::bf;
  AugmentKind augment = AugmentKind::none;
  std::int32_t copy = 0;  // tells apart the items of one cell (0 = the plain main image)
};

// Table 3, with the paper's method (BF_DAPI) as the default. Per training cell:
//   AUG1           BF + rotate_flip                                 (x2)
//   AUG2           BF + rotate_flip + brightness                    (x3)
//   BF_noDAPI      BF + rotate_flip + brightness + contrast_gamma   (x4)
//   BF_DAPI_noAUG  BF + DAPI                                        (x2)
//   BF_DAPI        BF + the three augmented BF + DAPI               (x5, Table 1)
//   DAPI_noBF      DAPI + the three augmented DAPI                  (x4)
//   DAPI_BF        DAPI + the three augmented DAPI + BF             (x5)
// AUG1 and AUG2: the paper says only "one" and "two augmentation operations".
// We take them in the order section 3.3 lists them ("rotations and flipping,
// along with adjustments to brightness and color"), so each ablation adds the
// next operation to the previous one and AUG2 -> BF_noDAPI adds contrast_gamma.
// Validation and test use the main channel only (BF; DAPI for DAPI_*), never
// augmented.
enum class Ablation { aug1, aug2, bf_no_dapi, bf_dapi_no_aug, bf_dapi, dapi_no_bf, dapi_bf };
inline constexpr Ablation kDefaultAblation = Ablation::bf_dapi;

const char* ablation_name(Ablation ablation);  // "AUG1", ..., "DAPI_BF"
Ablation ablation_from_name(const std::string& name);
std::vector<Ablation> all_ablations();
Channel main_channel(Ablation ablation);

// Offline: each augmented copy is drawn once and is the same every epoch (the
// paper's fixed expanded set; the seed excludes the epoch). Online: a fresh
// draw each epoch (the seed includes the epoch).
enum class AugmentMode { offline, online };
const char* augment_mode_name(AugmentMode mode);
AugmentMode augment_mode_from_name(const std::string& name);

// The items of one training cell, in the order of the table above.
std::vector<TrainingItem> expand_cell(std::int64_t cell, Ablation ablation);

// Training items for the cells at `indices` of `cells`. A cell without a DAPI
// image contributes no DAPI item where DAPI is the extra channel, and is an
// error (naming the cell) where DAPI is the main channel.
std::vector<TrainingItem> expand_training(const std::vector<CellRecord>& cells,
                                          const std::vector<std::int64_t>& indices, Ablation ablation);

// Validation or test items: one per cell, main channel, no augmentation.
std::vector<TrainingItem> evaluation_items(const std::vector<CellRecord>& cells,
                                           const std::vector<std::int64_t>& indices, Ablation ablation);

// The key of an item's augmentation draw: purpose "augment.<kind>", index
// from (cell, copy) and, online only, the epoch; the run's seed.
Seed augment_seed(const TrainingItem& item, AugmentMode mode, std::int64_t epoch, std::uint64_t seed);

// "cell=12 channel=bf augment=brightness copy=2"
std::string item_str(const TrainingItem& item);

}  // namespace ctcscope
