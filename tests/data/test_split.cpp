// Splits: Table 1's counts on the paper's sizes, the stated fractions, no
// patient on two sides, determinism and order independence, the split file.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "data/split.h"
#include "base/error.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

// Built with append: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
std::string name(const char* prefix, int i) { return std::string(prefix).append(std::to_string(i)); }

CellRecord cell(const std::string& id, CellLabel label, CellSource source, const std::string& patient) {
  CellRecord c;
  c.cell_id = id;
  c.label = label;
  c.source = source;
  c.patient = patient;
  c.bf = id + "_bf.png";
  return c;
}

// The paper's sizes: 529 spike-in cells, 52 CTCs of 13 patients, 388
// leukocytes (10 from patients with CTCs, 20 from 10 other patients, the
// rest without a patient id).
std::vector<CellRecord> paper_cells() {
  std::vector<CellRecord> cells;
  for (int i = 0; i < 529; ++i) {
    cells.push_back(cell(name("s", i), CellLabel::ctc, CellSource::spike_in, i % 2 ? "HV1" : "HV2"));
  }
  for (int i = 0; i < 52; ++i) {
    cells.push_back(cell(name("p", i), CellLabel::ctc, CellSource::patient, name("P", i % 13)));
  }
  for (int i = 0; i < 388; ++i) {
    std::string patient;
    if (i < 10) patient = name("P", i % 5);
    else if (i < 30) patient = name("Q", i % 10);
    cells.push_back(cell(name("l", i), CellLabel::leukocyte,
                         patient.empty() ? CellSource::healthy : CellSource::patient, patient));
  }
  return cells;
}

// No patient on two sides; with `paper`, also patient CTCs only in test and
// spike-in cells never there.
void expect_no_leakage(const std::vector<CellRecord>& cells, const Split& split, bool paper = true) {
  ASSERT_EQ(split.part.size(), cells.size());
  std::map<std::string, std::set<SplitPart>> parts_of_patient;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const CellRecord& c = cells[k];
    if (paper && c.label == CellLabel::ctc && c.source == CellSource::patient) {
      EXPECT_EQ(split.part[k], SplitPart::test);
    }
    if (paper && c.source == CellSource::spike_in) {
      EXPECT_NE(split.part[k], SplitPart::test) << c.cell_id;
    }
    const bool grouped = paper ? c.source == CellSource::patient : true;
    if (!c.patient.empty() && grouped) parts_of_patient[c.patient].insert(split.part[k]);
  }
  for (const auto& [patient, parts] : parts_of_patient) EXPECT_EQ(parts.size(), 1u) << "patient " << patient;
}

TEST(Split, Table1CountsExactly) {
  const auto cells = paper_cells();
  for (std::uint64_t seed : {0, 1, 2, 3, 4}) {
    const Split split = paper_split(cells, PaperSplitOptions::table1(seed));
    const SplitCounts n = split_counts(cells, split);
    EXPECT_EQ(n[0][0], 479);  // train CTC
    EXPECT_EQ(n[0][1], 303);  // train leukocytes
    EXPECT_EQ(n[1][0], 50);
    EXPECT_EQ(n[1][1], 29);
    EXPECT_EQ(n[2][0], 52);
    EXPECT_EQ(n[2][1], 56);
    expect_no_leakage(cells, split);
  }
}

TEST(Split, StatedFractionsRoundToNearest) {
  const auto cells = paper_cells();
  const Split split = paper_split(cells, PaperSplitOptions{});
  const SplitCounts n = split_counts(cells, split);
  EXPECT_EQ(n[0][0], 476);
  EXPECT_EQ(n[0][1], 297);
  EXPECT_EQ(n[1][0], 53);
  EXPECT_EQ(n[1][1], 33);
  EXPECT_EQ(n[2][0], 52);
  EXPECT_EQ(n[2][1], 58);
  expect_no_leakage(cells, split);
}

// As the generated default: the healthy leukocytes come from two named
// donors. They are drawn cell by cell, so validation still gets leukocytes.
TEST(Split, HealthyDonorsAreNotGrouped) {
  auto cells = paper_cells();
  for (CellRecord& c : cells) {
    if (c.source == CellSource::healthy) c.patient = c.cell_id.back() % 2 ? "HV01" : "HV02";
  }
  const Split split = paper_split(cells, PaperSplitOptions::table1(0));
  const SplitCounts n = split_counts(cells, split);
  EXPECT_EQ(n[1][1], 29);
  EXPECT_EQ(n[2][1], 56);
  expect_no_leakage(cells, split);
}

TEST(Split, DeterministicSeededAndOrderIndependent) {
  auto cells = paper_cells();
  const Split a = paper_split(cells, PaperSplitOptions::table1(7));
  const Split b = paper_split(cells, PaperSplitOptions::table1(7));
  const Split c = paper_split(cells, PaperSplitOptions::table1(8));
  EXPECT_EQ(a.part, b.part);
  EXPECT_NE(a.part, c.part);
  // The same cells in another order get the same parts.
  std::map<std::string, SplitPart> by_id;
  for (std::size_t k = 0; k < cells.size(); ++k) by_id[cells[k].cell_id] = a.part[k];
  std::reverse(cells.begin(), cells.end());
  std::rotate(cells.begin(), cells.begin() + 100, cells.end());
  const Split shuffled = paper_split(cells, PaperSplitOptions::table1(7));
  for (std::size_t k = 0; k < cells.size(); ++k) EXPECT_EQ(shuffled.part[k], by_id[cells[k].cell_id]);
}

TEST(Split, StratifiedKeepsLabelsAndGroups) {
  std::vector<CellRecord> cells;
  for (int i = 0; i < 200; ++i) cells.push_back(cell(name("c", i), CellLabel::ctc, CellSource::spike_in, ""));
  for (int i = 0; i < 100; ++i) {
    cells.push_back(cell(name("l", i), CellLabel::leukocyte, CellSource::patient,
                         i < 40 ? name("G", i % 20) : ""));
  }
  StratifiedSplitOptions options;
  options.seed = 3;
  const Split split = stratified_split(cells, options);
  const SplitCounts n = split_counts(cells, split);
  EXPECT_EQ(n[2][0], 30);  // 15% of 200
  EXPECT_EQ(n[1][0], 20);
  EXPECT_EQ(n[0][0], 150);
  EXPECT_EQ(n[2][1], 15);
  EXPECT_EQ(n[1][1], 10);
  EXPECT_EQ(n[0][1], 75);
  expect_no_leakage(cells, split, false);
  EXPECT_EQ(stratified_split(cells, options).part, split.part);
  options.seed = 4;
  EXPECT_NE(stratified_split(cells, options).part, split.part);
}

TEST(Split, FileRoundTripAndErrors) {
  const fs::path dir = ::ctcscope::test::scratch_root() / "ctc_test_split";
  fs::create_directories(dir);
  const std::string path = (dir / "split.csv").string();
  const auto cells = paper_cells();
  const Split split = paper_split(cells, PaperSplitOptions::table1(1));
  write_split(path, cells, split);
  EXPECT_EQ(read_split(path, cells).part, split.part);

  auto error_of = [&](const std::string& text) {
    std::ofstream(path) << text;
    try {
      read_split(path, {cell("a", CellLabel::ctc, CellSource::spike_in, ""),
                        cell("b", CellLabel::leukocyte, CellSource::healthy, "")});
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  EXPECT_EQ(error_of("cell_id,split\na,train\nb,test\n"), "(no error)");
  EXPECT_NE(error_of("cell_id,split\na,train\nzz,test\nb,val\n").find("split.csv:3: cell 'zz' is not in the manifest"),
            std::string::npos);
  EXPECT_NE(error_of("cell_id,split\na,train\n").find("split.csv: manifest cell 'b' has no split"), std::string::npos);
  EXPECT_NE(error_of("cell_id,split\na,train\nb,holdout\n").find("split.csv:3: unknown split 'holdout'"),
            std::string::npos);
  EXPECT_NE(error_of("cell_id,split\na,train\na,val\nb,val\n").find("split.csv:3: cell 'a' listed twice"),
            std::string::npos);
  EXPECT_NE(error_of("id,part\n").find("split.csv:1: header"), std::string::npos);
  fs::remove_all(dir);
}

TEST(Split, CountsBeyondTheCellsAreAnError) {
  auto options = PaperSplitOptions::table1();
  options.val_ctc = 10000;
  EXPECT_THROW(paper_split(paper_cells(), options), Error);
}

}  // namespace
}  // namespace ctcscope
