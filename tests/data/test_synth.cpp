// The synthetic dataset: same seed, same bytes (on any thread count); the
// plan's counts; a manifest that reads back; tumor cells larger than
// leukocytes; images of the stated sizes.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include "data/png.h"
#include "data/synth.h"
#include "base/error.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

std::string file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

SynthOptions small_options() {
  SynthOptions o;
  o.spike_in = 12;
  o.patient_ctc = 6;
  o.patients = 3;
  o.leukocytes = 14;
  o.seed = 11;
  return o;
}

fs::path temp_dir(const char* name) {
  return ::ctcscope::test::scratch_root() / ("ctc_test_synth_" + std::string(name));
}

TEST(Synth, PaperCountsInThePlan) {
  auto cells = synth_plan(SynthOptions{});
  ASSERT_EQ(cells.size(), 529u + 52u + 388u);
  std::map<std::pair<CellLabel, CellSource>, int> n;
  std::map<std::string, int> patients_with_ctc, volunteers;
  for (const auto& c : cells) {
    ++n[{c.label, c.source}];
    if (c.label == CellLabel::ctc && c.source == CellSource::patient) ++patients_with_ctc[c.patient];
    if (c.source == CellSource::healthy) ++volunteers[c.patient];
  }
  EXPECT_EQ((n[{CellLabel::ctc, CellSource::spike_in}]), 529);
  EXPECT_EQ((n[{CellLabel::ctc, CellSource::patient}]), 52);
  EXPECT_EQ((n[{CellLabel::leukocyte, CellSource::patient}]), 56);  // the paper's test leukocytes
  EXPECT_EQ((n[{CellLabel::leukocyte, CellSource::healthy}]), 332);
  EXPECT_EQ(patients_with_ctc.size(), 13u);
  EXPECT_EQ(volunteers.size(), 2u);
}

TEST(Synth, SameSeedSameBytesOnAnyThreadCount) {
  SynthOptions o = small_options();
  fs::path a = temp_dir("a"), b = temp_dir("b"), c = temp_dir("c");
  o.threads = 1;
  auto cells = synth_dataset(a.string(), o);
  o.threads = 3;
  synth_dataset(b.string(), o);
  o.seed = 12;
  synth_dataset(c.string(), o);
  ASSERT_EQ(cells.size(), 32u);
  EXPECT_EQ(file_bytes(a / "manifest.csv"), file_bytes(b / "manifest.csv"));
  int differ = 0;
  for (const auto& r : cells) {
    EXPECT_EQ(file_bytes(a / r.bf), file_bytes(b / r.bf)) << r.bf;
    EXPECT_EQ(file_bytes(a / r.dapi), file_bytes(b / r.dapi)) << r.dapi;
    differ += file_bytes(a / r.bf) != file_bytes(c / r.bf);
  }
  EXPECT_EQ(differ, 32);  // another seed, other cells

  // The manifest reads back, every file exists, images are 150-200 px gray.
  Manifest m = read_manifest(a.string());
  ASSERT_EQ(m.cells.size(), cells.size());
  for (std::size_t i = 0; i < cells.size(); ++i) {
    EXPECT_EQ(m.cells[i].cell_id, cells[i].cell_id);
    EXPECT_EQ(m.cells[i].label, cells[i].label);
    EXPECT_EQ(m.cells[i].source, cells[i].source);
    EXPECT_EQ(m.cells[i].patient, cells[i].patient);
    EXPECT_EQ(m.cells[i].bf, std::string("bf/").append(cells[i].cell_id).append("_bf.png"));
    EXPECT_EQ(m.cells[i].dapi, std::string("dapi/").append(cells[i].cell_id).append("_dapi.png"));
  }
  for (std::size_t i = 0; i < cells.size(); i += 7) {
    Image bf = read_png((a / cells[i].bf).string()), dapi = read_png((a / cells[i].dapi).string());
    EXPECT_EQ(bf.channels, 1);
    EXPECT_EQ(bf.height, bf.width);
    EXPECT_GE(bf.height, 150);
    EXPECT_LE(bf.height, 200);
    EXPECT_EQ(dapi.height, bf.height);
  }
  fs::remove_all(a);
  fs::remove_all(b);
  fs::remove_all(c);
}

TEST(Synth, TumorCellsAreLargerAndKindsFollowTheSources) {
  SynthOptions o;
  o.seed = 5;
  auto cells = synth_plan(o);
  double tumor = 0, leuko = 0, cell_line = 0, patient = 0;
  int nt = 0, nl = 0, nc = 0, np = 0, lobed = 0;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(cells.size()); ++i) {
    SynthKind kind = synth_kind_of(cells[static_cast<std::size_t>(i)], i, o);
    SynthMorphology m = synth_morphology(i, kind, o);
    EXPECT_EQ(m.kind, kind);
    if (cells[static_cast<std::size_t>(i)].label == CellLabel::ctc) {
      EXPECT_TRUE(kind == SynthKind::cell_line || kind == SynthKind::patient_ctc);
      tumor += m.radius, ++nt;
      if (kind == SynthKind::cell_line) cell_line += m.radius, ++nc;
      else patient += m.radius, ++np;
    } else {
      EXPECT_TRUE(kind == SynthKind::lymphocyte || kind == SynthKind::neutrophil);
      leuko += m.radius, ++nl;
      lobed += m.nucleus_lobes > 1;
    }
  }
  EXPECT_GT(tumor / nt, 1.2 * (leuko / nl));  // about 1.3 at difficulty 0.5
  EXPECT_GT(cell_line / nc, patient / np);  // patient CTCs are smaller than cultured lines
  EXPECT_GT(lobed, 0);                      // neutrophils
  // The morphology alone is the painted cell's.
  SynthCell painted = synth_cell(3, SynthKind::patient_ctc, o);
  EXPECT_EQ(painted.morphology.radius, synth_morphology(3, SynthKind::patient_ctc, o).radius);
  EXPECT_EQ(painted.bf.height, painted.morphology.size);
}

TEST(Synth, DifficultyBringsTheClassesCloser) {
  auto gap = [](double difficulty) {
    SynthOptions o;
    o.difficulty = difficulty;
    double t = 0, l = 0;
    for (std::int64_t i = 0; i < 200; ++i) {
      t += synth_morphology(i, SynthKind::cell_line, o).radius;
      l += synth_morphology(i, SynthKind::lymphocyte, o).radius;
    }
    return (t - l) / 200;
  };
  EXPECT_GT(gap(0.0), gap(1.0) + 3.0);
}

TEST(Synth, BadOptionsAreErrors) {
  SynthOptions o;
  o.difficulty = 1.5;
  EXPECT_THROW(synth_plan(o), Error);
  o.difficulty = 0.5;
  o.patients = 0;
  EXPECT_THROW(synth_plan(o), Error);
}

}  // namespace
}  // namespace ctcscope
