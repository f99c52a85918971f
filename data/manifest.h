// The dataset manifest: manifest.csv beside the images, one cell a row.
// Columns: cell_id, label (ctc|leukocyte), source (spike_in|patient|healthy),
// patient, bf, dapi (paths relative to the dataset folder; dapi may be empty),
// then any columns of the lab's own (sample, slide, ...), kept as text so that
// predictions can be grouped by them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ctcscope {

enum class CellLabel { ctc, leukocyte };
enum class CellSource { spike_in, patient, healthy };

const char* label_name(CellLabel label);    // "ctc", "leukocyte"
const char* source_name(CellSource source);  // "spike_in", "patient", "healthy"
// Parse the names above exactly; false for anything else.
bool parse_label(const std::string& name, CellLabel& label);
bool parse_source(const std::string& name, CellSource& source);

// The manifest's file name in the dataset folder and its header line.
inline constexpr const char* kManifestFile = "manifest.csv";
inline constexpr const char* kManifestHeader = "cell_id,label,source,patient,bf,dapi";

// Why an image path may not be used, or "" when it is fine: it must be
// relative, non-empty, and stay inside the dataset folder (no '..' part).
std::string relative_path_problem(const std::string& path);

// The largest manifest.csv read (checked before reading it).
inline constexpr std::uint64_t kMaxManifestBytes = std::uint64_t{256} << 20;

struct CellRecord {
  std::string cell_id;
  CellLabel label = CellLabel::leukocyte;
  CellSource source = CellSource::healthy;
  std::string patient;  // may be empty
  std::string bf;       // relative to the dataset folder
  std::string dapi;     // relative; empty when the cell has no DAPI image
  std::vector<std::string> extra;  // the values of Manifest::extra_columns, in order
  int line = 0;         // line in manifest.csv (1 = header), for messages
};

struct ManifestOptions {
  bool check_files = true;      // every named image must exist
  bool skip_bad_rows = false;   // report and skip bad rows instead of failing
};

struct Manifest {
  std::string root;                  // the dataset folder
  std::vector<std::string> extra_columns;  // header names after the six above
  std::vector<CellRecord> cells;
  std::vector<std::string> skipped;  // one message per skipped row
};

// Reads DIR/manifest.csv (RFC 4180 CSV, header kManifestHeader then any
// extra columns, each named, no name twice). A
// row with an unknown label or source, an empty cell id or bf, a path that
// leaves the folder, a missing file, a duplicate cell id or the wrong number
// of columns is an error naming the file and line
// ("manifest.csv:17: unknown label 'tumour' (expected ctc or leukocyte)"),
// unless options.skip_bad_rows: then the row is left out and the message is
// added to Manifest::skipped. A bad header or CSV syntax is always an error.
Manifest read_manifest(const std::string& dataset_dir, const ManifestOptions& options = {});

// Each cell's value in `column`: one of the six above or an extra column. A
// column the manifest lacks is an error naming the column, the manifest and
// the columns it has.
std::vector<std::string> manifest_column(const Manifest& manifest, const std::string& column);

// Writes DIR/manifest.csv atomically (the six columns; extra ones are not
// written), fields quoted as RFC 4180 needs. Cell
// ids must be unique and non-empty and paths valid as above (not checked on disk).
void write_manifest(const std::string& dataset_dir, const std::vector<CellRecord>& cells);
// The same to any file name (read_manifest reads DIR/manifest.csv only).
void write_manifest_file(const std::string& path, const std::vector<CellRecord>& cells);

// sha256 of the manifest file's bytes, hex, for run records.
std::string manifest_sha256(const std::string& dataset_dir);

}  // namespace ctcscope
