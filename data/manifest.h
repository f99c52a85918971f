// The dataset manifest: manifest.csv beside the images, one cell a row.
// Columns: cell_id, label (ctc|leukocyte), source (spike_in|patient|healthy),
// patient, bf, dapi (paths relative to the dataset folder; dapi may be empty).
#pragma once

#include <string>
#include <vector>

namespace ctcscope {

enum class CellLabel { ctc, leukocyte };
enum class CellSource { spike_in, patient, healthy };

const char* label_name(CellLabel label);    // "ctc", "leukocyte"
const char* source_name(CellSource source);  // "spike_in", "patient", "healthy"

struct CellRecord {
  std::string cell_id;
  CellLabel label = CellLabel::leukocyte;
  CellSource source = CellSource::healthy;
  std::string patient;  // may be empty
  std::string bf;       // relative to the dataset folder
  std::string dapi;     // relative; empty when the cell has no DAPI image
  int line = 0;         // line in manifest.csv (1 = header), for messages
};

struct ManifestOptions {
  bool check_files = true;      // every named image must exist
  bool skip_bad_rows = false;   // report and skip bad rows instead of failing
};

struct Manifest {
  std::string root;                  // the dataset folder
  std::vector<CellRecord> cells;
  std::vector<std::string> skipped;  // one message per skipped row
};

// Reads DIR/manifest.csv. A row with an unknown label or source, a missing
// file, a duplicate cell id or the wrong number of columns is an error
// naming the file and line, unless options.skip_bad_rows.
Manifest read_manifest(const std::string& dataset_dir, const ManifestOptions& options = {});

// Writes DIR/manifest.csv atomically.
void write_manifest(const std::string& dataset_dir, const std::vector<CellRecord>& cells);

// sha256 of the manifest file's bytes, hex, for run records.
std::string manifest_sha256(const std::string& dataset_dir);

}  // namespace ctcscope
