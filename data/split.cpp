// The paper's split and a plain stratified split, by seeded draws over
// "units" (one cell, or one patient's cells), and the split file.
#include "data/split.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <unordered_map>

#include "base/csv.h"
#include "base/file_util.h"
#include "base/error.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

std::uint64_t fnv1a64(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// Cells that move together: one patient's cells, or a single cell.
struct Unit {
  std::string name;  // "patient:P07" or "cell:c12"
  std::vector<std::size_t> cells;
};

// Which cells with a patient id move as one group.
enum class Grouping {
  none,           // every cell alone
  patients,       // cells of cancer patients (source patient); healthy donors' cells alone
  any_patient_id  // every non-empty patient id
};

std::string unit_name(const CellRecord& c, Grouping grouping) {
  const bool grouped = !c.patient.empty() && (grouping == Grouping::any_patient_id ||
                                               (grouping == Grouping::patients && c.source == CellSource::patient));
  return grouped ? "patient:" + c.patient : "cell:" + c.cell_id;
}

std::vector<Unit> make_units(const std::vector<CellRecord>& cells, const std::vector<std::size_t>& members,
                             Grouping group_by_patient) {
  std::map<std::string, Unit> by_name;  // sorted by name: independent of row order
  for (std::size_t k : members) {
    Unit& u = by_name[unit_name(cells[k], group_by_patient)];
    u.name = unit_name(cells[k], group_by_patient);
    u.cells.push_back(k);
  }
  std::vector<Unit> units;
  for (auto& [name, u] : by_name) units.push_back(std::move(u));
  return units;
}

std::int64_t cell_count(const std::vector<Unit>& units) {
  std::int64_t n = 0;
  for (const Unit& u : units) n += static_cast<std::int64_t>(u.cells.size());
  return n;
}

// Assigns `part` to units drawn at random (order of a Philox key per unit
// name) while they fit, until `target` cells are taken; returns the rest.
std::vector<Unit> draw(std::vector<Unit> units, std::int64_t target, const std::string& purpose,
                       std::uint64_t seed, SplitPart part, Split& split) {
  std::vector<std::pair<std::uint64_t, std::size_t>> order;
  for (std::size_t u = 0; u < units.size(); ++u) {
    order.emplace_back(Philox(Seed{purpose, fnv1a64(units[u].name), seed}).bits64(0), u);
  }
  std::sort(order.begin(), order.end(), [&](const auto& a, const auto& b) {
    return a.first != b.first ? a.first < b.first : units[a.second].name < units[b.second].name;
  });
  std::int64_t taken = 0;
  std::vector<bool> picked(units.size(), false);
  for (const auto& [key, u] : order) {
    if (taken >= target) break;
    const auto size = static_cast<std::int64_t>(units[u].cells.size());
    if (taken + size > target) continue;
    picked[u] = true;
    taken += size;
    for (std::size_t k : units[u].cells) split.part[k] = part;
  }
  std::vector<Unit> rest;
  for (std::size_t u = 0; u < units.size(); ++u) {
    if (!picked[u]) rest.push_back(std::move(units[u]));
  }
  return rest;
}

std::int64_t share(double fraction, std::int64_t n) { return std::lround(fraction * static_cast<double>(n)); }

std::int64_t target_of(std::int64_t count, double fraction, std::int64_t n, const char* what) {
  if (count < 0) return share(fraction, n);
  CTC_CHECK(count <= n, "split: ", what, " count ", count, " is more than the ", n, " cells available");
  return count;
}

void check_fraction(double f, const char* what) {
  CTC_CHECK(f >= 0.0 && f <= 1.0, "split: ", what, " must be in [0, 1], got ", f);
}

}  // namespace

const char* split_name(SplitPart part) {
  switch (part) {
    case SplitPart::train: return "train";
    case SplitPart::val: return "val";
    case SplitPart::test: return "test";
  }
  return "?";
}

Split paper_split(const std::vector<CellRecord>& cells, const PaperSplitOptions& o) {
  check_fraction(o.val_fraction, "val_fraction");
  check_fraction(o.test_leukocyte_fraction, "test_leukocyte_fraction");
  Split split;
  split.part.assign(cells.size(), SplitPart::train);

  // Patient CTCs: test only. Their patients' leukocytes follow them.
  std::set<std::string> test_patients;
  std::vector<std::size_t> other_ctcs, leukocytes;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const CellRecord& c = cells[k];
    if (c.label == CellLabel::ctc && c.source == CellSource::patient) {
      split.part[k] = SplitPart::test;
      if (!c.patient.empty()) test_patients.insert(c.patient);
    } else if (c.label == CellLabel::ctc) {
      other_ctcs.push_back(k);
    } else {
      leukocytes.push_back(k);
    }
  }

  std::vector<Unit> free_units;
  std::int64_t forced = 0;
  for (Unit& u : make_units(cells, leukocytes, Grouping::patients)) {
    if (test_patients.count(cells[u.cells.front()].patient)) {
      for (std::size_t k : u.cells) split.part[k] = SplitPart::test;
      forced += static_cast<std::int64_t>(u.cells.size());
    } else {
      free_units.push_back(std::move(u));
    }
  }
  const auto n_leukocytes = static_cast<std::int64_t>(leukocytes.size());
  const std::int64_t test_target = target_of(o.test_leukocyte, o.test_leukocyte_fraction, n_leukocytes,
                                             "test leukocyte");
  std::vector<Unit> train_val = draw(std::move(free_units), std::max<std::int64_t>(0, test_target - forced),
                                     "split.test.leukocyte", o.seed, SplitPart::test, split);
  const std::int64_t val_leukocytes =
      target_of(o.val_leukocyte, o.val_fraction, cell_count(train_val), "validation leukocyte");
  draw(std::move(train_val), val_leukocytes, "split.val.leukocyte", o.seed, SplitPart::val, split);

  std::vector<Unit> ctc_units = make_units(cells, other_ctcs, Grouping::none);
  const std::int64_t val_ctcs = target_of(o.val_ctc, o.val_fraction, cell_count(ctc_units), "validation CTC");
  draw(std::move(ctc_units), val_ctcs, "split.val.ctc", o.seed, SplitPart::val, split);
  return split;
}

Split stratified_split(const std::vector<CellRecord>& cells, const StratifiedSplitOptions& o) {
  check_fraction(o.val_fraction, "val_fraction");
  check_fraction(o.test_fraction, "test_fraction");
  CTC_CHECK(o.val_fraction + o.test_fraction <= 1.0, "split: val_fraction + test_fraction must be at most 1, got ",
            o.val_fraction + o.test_fraction);
  Split split;
  split.part.assign(cells.size(), SplitPart::train);
  std::vector<std::size_t> all(cells.size());
  for (std::size_t k = 0; k < cells.size(); ++k) all[k] = k;
  // Strata: 0 ctc, 1 leukocyte, 2 groups holding both labels.
  std::array<std::vector<Unit>, 3> strata;
  for (Unit& u : make_units(cells, all, Grouping::any_patient_id)) {
    bool has[2] = {false, false};
    for (std::size_t k : u.cells) has[cells[k].label == CellLabel::ctc ? 0 : 1] = true;
    strata[has[0] && has[1] ? 2 : (has[0] ? 0 : 1)].push_back(std::move(u));
  }
  for (std::size_t s = 0; s < strata.size(); ++s) {
    const std::int64_t n = cell_count(strata[s]);
    const std::string name = s == 0 ? "ctc" : (s == 1 ? "leukocyte" : "mixed");
    std::vector<Unit> rest =
        draw(std::move(strata[s]), share(o.test_fraction, n), "split.test." + name, o.seed, SplitPart::test, split);
    draw(std::move(rest), share(o.val_fraction, n), "split.val." + name, o.seed, SplitPart::val, split);
  }
  return split;
}

SplitCounts split_counts(const std::vector<CellRecord>& cells, const Split& split) {
  CTC_CHECK(split.part.size() == cells.size(), "split_counts: split has ", split.part.size(), " cells, manifest ",
            cells.size());
  SplitCounts counts{};
  for (std::size_t k = 0; k < cells.size(); ++k) {
    ++counts[static_cast<std::size_t>(split.part[k])][cells[k].label == CellLabel::ctc ? 0 : 1];
  }
  return counts;
}

void write_split(const std::string& path, const std::vector<CellRecord>& cells, const Split& split) {
  CTC_CHECK_INPUT(split.part.size() == cells.size(), path, ": split has ", split.part.size(), " cells, manifest ",
                  cells.size());
  std::string text = "cell_id,split\n";
  for (std::size_t k = 0; k < cells.size(); ++k) text += csv_line({cells[k].cell_id, split_name(split.part[k])});
  write_file_atomic(path, text);
}

Split read_split(const std::string& path, const std::vector<CellRecord>& cells) {
  const std::vector<CsvRow> rows = csv_parse(read_file_bytes(path), path);
  const std::vector<std::string> header = {"cell_id", "split"};
  CTC_CHECK_INPUT(!rows.empty() && rows[0].line == 1 && rows[0].fields == header, path,
                  ":1: header must be 'cell_id,split'");
  std::unordered_map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < cells.size(); ++k) index.emplace(cells[k].cell_id, k);
  std::vector<int> line_of(cells.size(), 0);
  Split split;
  split.part.assign(cells.size(), SplitPart::train);
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const CsvRow& row = rows[r];
    if (row.fields.size() != 2) CTC_FAIL(path, ":", row.line, ": expected 2 columns, found ", row.fields.size());
    const std::string& id = row.fields[0];
    auto it = index.find(id);
    if (it == index.end()) CTC_FAIL(path, ":", row.line, ": cell '", id, "' is not in the manifest");
    if (line_of[it->second]) {
      CTC_FAIL(path, ":", row.line, ": cell '", id, "' listed twice (first on line ", line_of[it->second], ")");
    }
    line_of[it->second] = row.line;
    const std::string& name = row.fields[1];
    if (name == "train") split.part[it->second] = SplitPart::train;
    else if (name == "val") split.part[it->second] = SplitPart::val;
    else if (name == "test") split.part[it->second] = SplitPart::test;
    else CTC_FAIL(path, ":", row.line, ": unknown split '", name, "' (expected train, val or test)");
  }
  for (std::size_t k = 0; k < cells.size(); ++k) {
    if (!line_of[k]) CTC_FAIL(path, ": manifest cell '", cells[k].cell_id, "' has no split");
  }
  return split;
}

}  // namespace ctcscope
