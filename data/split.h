// Train/validation/test splits of a manifest's cells, seeded and
// order-independent: every random choice is a Philox draw keyed by
// Seed{"split.*", hash of the cell id or patient id, seed}, so the same cells
// and seed give the same split whatever the manifest's row order.
//
// The paper's split (section 3.2, Table 1):
//  - test: every patient CTC (source patient), and leukocytes held out for
//    test (test_leukocyte_fraction of all leukocytes);
//  - the other cells (spike-in tumour cells, remaining leukocytes) go to
//    training, with val_fraction of each label drawn at random for validation;
//  - cells of one patient never cross splits: a cancer patient's leukocytes
//    (source patient) move as one group, and go to test with that patient's
//    CTCs (they count towards the test share). Healthy volunteers' leukocytes
//    are drawn cell by cell (the paper draws its training and validation
//    leukocytes at random, and the study has only two donors: grouping them
//    would leave validation without leukocytes). Spike-in cells are cell-line
//    cells, so their patient field (the donor blood) is not grouped either.
// Shares are rounded to the nearest cell (std::lround); with groups, a group
// is taken while it fits, so a share can end below its target.
//
// On the paper's counts (529 spike-in, 52 patient CTCs, 388 leukocytes) the
// stated fractions give train 476/297, val 53/33, test 52/58 (CTC/leukocyte);
// no rounding of 10% and 15% gives Table 1's train 479/303, val 50/29, test
// 52/56 (its shares are 9.45%, 8.7% and 14.4%). PaperSplitOptions::table1()
// fixes the counts instead of the fractions and reproduces Table 1 exactly.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "data/manifest.h"

namespace ctcscope {

enum class SplitPart { train, val, test };
const char* split_name(SplitPart part);  // "train", "val", "test"

// part[k] is the split of cells[k] of the manifest the split was made for.
struct Split {
  std::vector<SplitPart> part;
};

struct PaperSplitOptions {
  double val_fraction = 0.10;             // of each label's train+val cells
  double test_leukocyte_fraction = 0.15;  // of all leukocytes
  // Exact counts instead of the fractions when >= 0.
  std::int64_t val_ctc = -1, val_leukocyte = -1, test_leukocyte = -1;
  std::uint64_t seed = 0;

  // Table 1's counts: 50 CTC and 29 leukocytes for validation, 56 leukocytes for test.
  static PaperSplitOptions table1(std::uint64_t seed = 0) {
    PaperSplitOptions o;
    o.val_ctc = 50;
    o.val_leukocyte = 29;
    o.test_leukocyte = 56;
    o.seed = seed;
    return o;
  }
};

Split paper_split(const std::vector<CellRecord>& cells, const PaperSplitOptions& options);

// For datasets without source/patient information: per label, test_fraction
// and val_fraction of the cells (rounded to nearest), the rest train. Cells
// sharing a non-empty patient id move as one group (stratum: the group's label,
// or its own stratum when it holds both labels).
struct StratifiedSplitOptions {
  double val_fraction = 0.10;
  double test_fraction = 0.15;
  std::uint64_t seed = 0;
};
Split stratified_split(const std::vector<CellRecord>& cells, const StratifiedSplitOptions& options);

// counts[part][label]: cells of each label (ctc = 0, leukocyte = 1) in each part.
using SplitCounts = std::array<std::array<std::int64_t, 2>, 3>;
SplitCounts split_counts(const std::vector<CellRecord>& cells, const Split& split);

// The split as CSV "cell_id,split", one row per cell in manifest order, atomically.
void write_split(const std::string& path, const std::vector<CellRecord>& cells, const Split& split);
// Reads it back for `cells`: a cell the manifest lacks, a cell listed twice,
// a manifest cell without a row or an unknown split name is an error naming
// the file and line.
Split read_split(const std::string& path, const std::vector<CellRecord>& cells);

}  // namespace ctcscope
