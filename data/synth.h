// A deterministic generator of DEPArray-like single-cell images: for each cell
// a bright-field image (refraction edge, cytoplasm texture, faint nucleus,
// uneven illumination, noise, debris, blur) and a DAPI image (the nucleus
// only). The project's embedded default dataset; counts default to the
// paper's Table 1. Each cell depends only on Seed{"synth.cell", index, seed}.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "data/image.h"
#include "data/manifest.h"

namespace ctcscope {

struct SynthOptions {
  std::uint64_t seed = 0;
  // 0: the classes barely overlap; 1: their size, shape and nucleus
  // distributions overlap heavily and more cells look like the other class.
  double difficulty = 0.5;
  std::int64_t spike_in = 529;     // tumor cell-line cells spiked into healthy blood (paper, 3.2)
  std::int64_t patient_ctc = 52;   // real CTCs ...
  std::int64_t patients = 13;      // ... from this many NSCLC patients
  std::int64_t leukocytes = 388;   // from the 2 healthy volunteers and the patients
  std::int64_t healthy_volunteers = 2;
  int threads = 2;
  // The files: bit_depth 8 or 16 bits per sample. camera_bits == bit_depth
  // (or 0) spreads the scene over the file's whole range (8-bit: the default
  // dataset). camera_bits < bit_depth writes what a scientific camera of that
  // depth writes: raw counts, a dark offset plus the scene times a gain that
  // fills part of the camera's range, with read noise (see SynthCamera), so
  // a 12-bit camera in a 16-bit file uses a few percent of the file's range.
  int bit_depth = 8;
  int camera_bits = 0;
};

// The camera model of camera_bits < bit_depth, in fractions of the camera's
// full scale (2^camera_bits - 1 counts): count = offset + gain * scene +
// read noise, rounded and clipped to the camera's range. With 12 bits the
// bright field spans about 350..1700 counts on a background near 600, DAPI
// 100..2300: the ranges of a real imaging cytometer's 12-bit exports.
struct SynthCamera {
  static constexpr double kDarkOffset = 0.025;   // 100 counts of 4095
  static constexpr double kBfGain = 0.42;        // scene 1.0 -> ~1820 counts
  static constexpr double kDapiGain = 0.55;      // scene 1.0 -> ~2350 counts
  static constexpr double kReadNoise = 0.001;    // ~4 counts of 4095
};


// What a cell is, which sets its morphology. Leukocytes are lymphocytes
// (round nucleus) or neutrophils (lobed nucleus).
enum class SynthKind { cell_line, patient_ctc, lymphocyte, neutrophil };
const char* synth_kind_name(SynthKind kind);

// The morphology drawn for a cell, in pixels of its images (kept for tests
// and for the reader who wants to know what a model could see).
struct SynthMorphology {
  SynthKind kind = SynthKind::lymphocyte;
  std::int64_t size = 0;        // the image is size x size
  double radius = 0;            // mean cell radius
  double irregularity = 0;      // relative amplitude of the boundary harmonics
  double nucleus_ratio = 0;     // nucleus radius / cell radius
  int nucleus_lobes = 1;
  int nucleoli = 0;
  bool blurred = false;
  int debris = 0;
};

struct SynthCell {
  Image bf;    // gray [1, size, size]
  Image dapi;  // gray [1, size, size]
  SynthMorphology morphology;
};

// The dataset's rows (ids, labels, sources, patients, file names), in index
// order: spike-in cells, patient CTCs, healthy-volunteer leukocytes, patient
// leukocytes. Patient leukocytes are the paper's test share of leukocytes
// (56 of 388, scaled); patients and volunteers are dealt round-robin.
std::vector<CellRecord> synth_plan(const SynthOptions& options);
SynthKind synth_kind_of(const CellRecord& record, std::int64_t index, const SynthOptions& options);

// Cell `index` of the plan; depends only on (index, kind, seed, difficulty).
SynthCell synth_cell(std::int64_t index, SynthKind kind, const SynthOptions& options);
// The cell's images as the configured camera records them ([0, 1] samples of
// options.bit_depth, bit_depth set). Read noise draws from its own stream
// ("synth.camera"), so every bit depth shows the same scene.
SynthCell synth_camera(const SynthCell& scene, std::int64_t index, const SynthOptions& options);
// The same cell's morphology without painting its images.
SynthMorphology synth_morphology(std::int64_t index, SynthKind kind, const SynthOptions& options);

// Writes OUT_DIR/bf/<id>_bf.png, OUT_DIR/dapi/<id>_dapi.png and
// OUT_DIR/manifest.csv, cells in parallel over options.threads threads.
// Returns the rows written.
std::vector<CellRecord> synth_dataset(const std::string& out_dir, const SynthOptions& options);

}  // namespace ctcscope
