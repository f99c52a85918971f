// The cells of a run: the manifest read, optionally subsampled (--max-cells,
// for quick CPU runs), and split into train / validation / test by the
// paper's split, a stratified split or a split file.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/manifest.h"
#include "data/split.h"

namespace ctcscope {

struct RunData {
  Manifest manifest;  // after subsampling: the cells the run uses
  std::int64_t manifest_cells = 0;  // cells in manifest.csv before subsampling
  Split split;
  std::vector<std::int64_t> train, val, test;  // indices into manifest.cells
};

// At most `max_cells` of `cells` (all when 0 or more than there are): from
// each (label, source) group its share, rounded, at least one cell of a
// non-empty group; within a group the cells with the smallest
// Philox(Seed{"subsample", fnv1a(cell_id), seed}) draws. Result in manifest order.
std::vector<CellRecord> subsample_cells(const std::vector<CellRecord>& cells, std::int64_t max_cells,
                                        std::uint64_t seed);

// How a run's cells are split: --split paper, stratified, or a file's path.
enum class SplitKind { paper, stratified, file };
SplitKind split_kind(const std::string& split);

// split: "paper", "stratified", or the path of a "cell_id,split" CSV. With
// a file, cells the file does not list are left out of the run (a file
// written for a subsample selects that subsample); a listed cell the
// manifest lacks is an error naming the file.
RunData load_run_data(const std::string& dataset_dir, const std::string& split, std::int64_t max_cells,
                      std::uint64_t split_seed);

// "train 40/30, val 5/3, test 6/5 (CTC/leukocyte)"
std::string split_summary(const RunData& data);

}  // namespace ctcscope
