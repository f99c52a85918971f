// index_folder on temporary layouts: flat and with a source level, pairing,
// case-insensitive suffixes, .tif/.tiff like .png, patient prefixes, and every
// reported problem; the manifest it gives reads back.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "data/index_folder.h"
#include "data/manifest.h"
#include "base/error.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  fs::path dir = ::ctcscope::test::scratch_root() / "ctc_test_index" / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void touch(const fs::path& path) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << "x";
}

bool has(const std::vector<std::string>& messages, const std::string& part) {
  for (const auto& m : messages) {
    if (m.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(IndexFolder, FlatLayout) {
  const fs::path dir = temp_dir("flat");
  touch(dir / "ctc/a_bf.png");
  touch(dir / "ctc/a_dapi.png");
  touch(dir / "ctc/P07_c3_BF.PNG");
  touch(dir / "ctc/P07_c3_Dapi.png");
  touch(dir / "ctc/lonely_dapi.png");
  touch(dir / "leukocyte/w1_bf.png");
  touch(dir / "leukocyte/P07_w2_bf.png");
  touch(dir / "leukocyte/P07_w2_dapi.png");
  touch(dir / "leukocyte/notes.txt");
  touch(dir / "other/x_bf.png");
  touch(dir / "manifest.csv");
  const FolderIndex index = index_folder(dir.string());
  ASSERT_EQ(index.cells.size(), 4u);
  const CellRecord& p = index.cells[0];  // sorted: P07_c3, P07_w2, a, w1
  EXPECT_EQ(p.cell_id, "P07_c3");
  EXPECT_EQ(p.label, CellLabel::ctc);
  EXPECT_EQ(p.source, CellSource::patient);
  EXPECT_EQ(p.patient, "P07");
  EXPECT_EQ(p.bf, "ctc/P07_c3_BF.PNG");
  EXPECT_EQ(p.dapi, "ctc/P07_c3_Dapi.png");
  EXPECT_EQ(index.cells[1].cell_id, "P07_w2");
  EXPECT_EQ(index.cells[1].source, CellSource::patient);
  EXPECT_EQ(index.cells[2].cell_id, "a");
  EXPECT_EQ(index.cells[2].source, CellSource::spike_in);
  EXPECT_EQ(index.cells[2].patient, "");
  EXPECT_EQ(index.cells[3].cell_id, "w1");
  EXPECT_EQ(index.cells[3].source, CellSource::healthy);
  EXPECT_EQ(index.cells[3].dapi, "");
  EXPECT_TRUE(has(index.notes, "leukocyte/w1_bf.png: no DAPI image (cell 'w1' kept without one)"));
  EXPECT_TRUE(has(index.problems, "ctc/lonely_dapi.png: DAPI image without a BF image (cell 'lonely' skipped)"));
  EXPECT_TRUE(has(index.problems, "leukocyte/notes.txt: name is not"));
  EXPECT_TRUE(has(index.problems, "other/: not a class folder"));
  EXPECT_EQ(index.problems.size(), 3u);

  write_manifest(dir.string(), index.cells);
  const Manifest m = read_manifest(dir.string());
  EXPECT_EQ(m.cells.size(), 4u);
}

TEST(IndexFolder, SourceLevelAndDuplicates) {
  const fs::path dir = temp_dir("sources");
  touch(dir / "ctc/spike_in/s1_bf.png");
  touch(dir / "ctc/patient/P01_k_bf.png");
  touch(dir / "leukocyte/healthy/h1_bf.png");
  touch(dir / "leukocyte/patient/P01_h_bf.png");
  touch(dir / "leukocyte/patient/s1_bf.png");  // duplicate id
  touch(dir / "leukocyte/cellline/z_bf.png");
  const FolderIndex index = index_folder(dir.string());
  ASSERT_EQ(index.cells.size(), 4u);
  EXPECT_EQ(index.cells[0].cell_id, "P01_h");
  EXPECT_EQ(index.cells[0].source, CellSource::patient);
  EXPECT_EQ(index.cells[1].source, CellSource::patient);
  EXPECT_EQ(index.cells[2].cell_id, "h1");
  EXPECT_EQ(index.cells[2].source, CellSource::healthy);
  EXPECT_EQ(index.cells[3].cell_id, "s1");
  EXPECT_EQ(index.cells[3].source, CellSource::spike_in);
  EXPECT_EQ(index.cells[3].label, CellLabel::ctc);
  EXPECT_TRUE(has(index.problems, "leukocyte/patient/s1_bf.png: duplicate cell id 's1' (first in ctc/spike_in/"));
  EXPECT_TRUE(has(index.problems, "leukocyte/cellline/: not a source folder"));
}

TEST(IndexFolder, TiffFilesPairLikePng) {
  const fs::path dir = temp_dir("tiff");
  touch(dir / "ctc/a_bf.tif");
  touch(dir / "ctc/a_dapi.tif");
  touch(dir / "ctc/P02_b_BF.TIFF");
  touch(dir / "ctc/P02_b_Dapi.Tif");
  touch(dir / "ctc/mixed_bf.png");  // BF and DAPI in different formats still pair
  touch(dir / "ctc/mixed_dapi.tiff");
  touch(dir / "leukocyte/w_bf.tiff");
  touch(dir / "leukocyte/w_bf.png");  // a second BF image of w: which is meant is unknown
  touch(dir / "leukocyte/x_bf.tif.bak");
  touch(dir / "leukocyte/_bf.tif");
  const FolderIndex index = index_folder(dir.string());
  ASSERT_EQ(index.cells.size(), 4u);  // sorted: P02_b, a, mixed, w
  EXPECT_EQ(index.cells[0].cell_id, "P02_b");
  EXPECT_EQ(index.cells[0].bf, "ctc/P02_b_BF.TIFF");
  EXPECT_EQ(index.cells[0].dapi, "ctc/P02_b_Dapi.Tif");
  EXPECT_EQ(index.cells[0].patient, "P02");
  EXPECT_EQ(index.cells[1].cell_id, "a");
  EXPECT_EQ(index.cells[1].bf, "ctc/a_bf.tif");
  EXPECT_EQ(index.cells[1].dapi, "ctc/a_dapi.tif");
  EXPECT_EQ(index.cells[2].bf, "ctc/mixed_bf.png");
  EXPECT_EQ(index.cells[2].dapi, "ctc/mixed_dapi.tiff");
  EXPECT_EQ(index.cells[3].cell_id, "w");
  EXPECT_EQ(index.cells[3].bf, "leukocyte/w_bf.png");  // the first name in sorted order
  EXPECT_TRUE(has(index.problems, "leukocyte/w_bf.tiff: a second BF image of cell 'w' (leukocyte/w_bf.png kept"));
  EXPECT_TRUE(has(index.problems, "leukocyte/x_bf.tif.bak: name is not"));
  EXPECT_TRUE(has(index.problems, "leukocyte/_bf.tif: name is not"));
  EXPECT_EQ(index.problems.size(), 3u);
}

TEST(IndexFolder, Errors) {
  EXPECT_THROW(index_folder(temp_dir("none").string() + "/missing"), Error);
  EXPECT_THROW(index_folder(temp_dir("empty").string()), Error);
  EXPECT_EQ(patient_prefix("P07_c1"), "P07");
  EXPECT_EQ(patient_prefix("p3_x"), "p3");
  EXPECT_EQ(patient_prefix("P_x"), "");
  EXPECT_EQ(patient_prefix("P07"), "");
  EXPECT_EQ(patient_prefix("Px7_c"), "");
}

}  // namespace
}  // namespace ctcscope
