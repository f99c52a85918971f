// Reading, subsampling and splitting the cells of a run.
#include "train/run_data.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "base/csv.h"
#include "base/file_util.h"
#include "base/error.h"
#include "tensor/random.h"

namespace ctcscope {

namespace {

std::uint64_t fnv1a(const std::string& s) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The cell ids a split file lists, in file order (its header is optional).
std::set<std::string> split_file_ids(const std::string& path) {
  auto rows = csv_parse(read_file_bytes(path), path);
  std::set<std::string> ids;
  for (const auto& row : rows) {
    CTC_CHECK_INPUT(row.fields.size() == 2, path, ":", row.line, ": expected 2 columns (cell_id,split), found ",
                    row.fields.size());
    if (row.line == 1 && row.fields[0] == "cell_id") continue;
    ids.insert(row.fields[0]);
  }
  return ids;
}

}  // namespace

std::vector<CellRecord> subsample_cells(const std::vector<CellRecord>& cells, std::int64_t max_cells,
                                        std::uint64_t seed) {
  const auto n = static_cast<std::int64_t>(cells.size());
  if (max_cells <= 0 || max_cells >= n) return cells;
  std::map<std::pair<int, int>, std::vector<std::int64_t>> groups;
  for (std::int64_t i = 0; i < n; ++i) {
    groups[{static_cast<int>(cells[i].label), static_cast<int>(cells[i].source)}].push_back(i);
  }
  std::vector<char> keep(cells.size(), 0);
  for (auto& [key, members] : groups) {
    const auto size = static_cast<std::int64_t>(members.size());
    const std::int64_t take =
        std::clamp<std::int64_t>(std::llround(static_cast<double>(size) * max_cells / n), 1, size);
    std::vector<std::pair<std::uint64_t, std::int64_t>> order;
    for (std::int64_t i : members) {
      order.emplace_back(Philox(Seed{"subsample", fnv1a(cells[i].cell_id), seed}).bits64(0), i);
    }
    std::sort(order.begin(), order.end());
    for (std::int64_t k = 0; k < take; ++k) keep[order[k].second] = 1;
  }
  std::vector<CellRecord> out;
  for (std::int64_t i = 0; i < n; ++i) {
    if (keep[i]) out.push_back(cells[i]);
  }
  return out;
}

SplitKind split_kind(const std::string& split) {
  if (split == "paper") return SplitKind::paper;
  if (split == "stratified") return SplitKind::stratified;
  return SplitKind::file;
}

RunData load_run_data(const std::string& dataset_dir, const std::string& split, std::int64_t max_cells,
                      std::uint64_t split_seed) {
  RunData d;
  d.manifest = read_manifest(dataset_dir);
  d.manifest_cells = static_cast<std::int64_t>(d.manifest.cells.size());
  CTC_CHECK_INPUT(!d.manifest.cells.empty(), dataset_dir, "/", kManifestFile, ": the manifest lists no cells");
  const SplitKind kind = split_kind(split);
  if (kind != SplitKind::file) {
    d.manifest.cells = subsample_cells(d.manifest.cells, max_cells, split_seed);
    if (kind == SplitKind::paper) {
      PaperSplitOptions o;
      o.seed = split_seed;
      d.split = paper_split(d.manifest.cells, o);
    } else {
      StratifiedSplitOptions o;
      o.seed = split_seed;
      d.split = stratified_split(d.manifest.cells, o);
    }
  } else {
    const std::set<std::string> ids = split_file_ids(split);
    std::vector<CellRecord> listed;
    for (const auto& c : d.manifest.cells) {
      if (ids.count(c.cell_id)) listed.push_back(c);
    }
    d.manifest.cells = std::move(listed);
    d.split = read_split(split, d.manifest.cells);  // also rejects ids the manifest lacks
  }
  for (std::size_t i = 0; i < d.split.part.size(); ++i) {
    const auto k = static_cast<std::int64_t>(i);
    switch (d.split.part[i]) {
      case SplitPart::train: d.train.push_back(k); break;
      case SplitPart::val: d.val.push_back(k); break;
      case SplitPart::test: d.test.push_back(k); break;
    }
  }
  // A training split without one of the two classes cannot teach the model
  // to tell them apart; say so instead of training a constant classifier.
  std::size_t train_ctc = 0;
  for (std::int64_t k : d.train) train_ctc += d.manifest.cells[static_cast<std::size_t>(k)].label == CellLabel::ctc;
  CTC_CHECK_INPUT(train_ctc > 0 && train_ctc < d.train.size(), dataset_dir, "/", kManifestFile, ": the training split (",
                  split, ") has ", train_ctc, " ctc and ", d.train.size() - train_ctc,
                  " leukocyte cells; training needs cells of both classes");
  return d;
}

std::string split_summary(const RunData& data) {
  SplitCounts c = split_counts(data.manifest.cells, data.split);
  std::ostringstream s;
  s << "train " << c[0][0] << "/" << c[0][1] << ", val " << c[1][0] << "/" << c[1][1] << ", test " << c[2][0]
    << "/" << c[2][1] << " (CTC/leukocyte)";
  return s.str();
}

}  // namespace ctcscope
