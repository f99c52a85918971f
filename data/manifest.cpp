// The dataset manifest: reading with per-row checks and line numbers,
// atomic writing, and its hash for run records.
#include "data/manifest.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include "base/csv.h"
#include "base/file_util.h"
#include "base/error.h"
#include "base/sha256.h"
#include "base/split_list.h"

namespace ctcscope {

namespace fs = std::filesystem;

const char* label_name(CellLabel label) { return label == CellLabel::ctc ? "ctc" : "leukocyte"; }

const char* source_name(CellSource source) {
  switch (source) {
    case CellSource::spike_in: return "spike_in";
    case CellSource::patient: return "patient";
    case CellSource::healthy: return "healthy";
  }
  return "?";
}

bool parse_label(const std::string& name, CellLabel& label) {
  if (name == "ctc") label = CellLabel::ctc;
  else if (name == "leukocyte") label = CellLabel::leukocyte;
  else return false;
  return true;
}

bool parse_source(const std::string& name, CellSource& source) {
  if (name == "spike_in") source = CellSource::spike_in;
  else if (name == "patient") source = CellSource::patient;
  else if (name == "healthy") source = CellSource::healthy;
  else return false;
  return true;
}

std::string relative_path_problem(const std::string& path) {
  if (path.empty()) return "is empty";
  if (path.front() == '/' || path.front() == '\\' || (path.size() > 1 && path[1] == ':')) {
    return "is absolute (paths are relative to the dataset folder)";
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find_first_of("/\\", start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) {
      return "leaves the dataset folder ('..')";
    }
    start = end + 1;
  }
  return "";
}

namespace {

std::string manifest_path(const std::string& dataset_dir) { return (fs::path(dataset_dir) / kManifestFile).string(); }

std::string join_names(const std::vector<std::string>& names, const char* separator) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : separator) + n;
  return out;
}

// The header's column names: the six of kManifestHeader, then extra ones,
// each named once. Errors name the file and line 1.
std::vector<std::string> header_columns(const CsvRow& header, const std::string& path) {
  const std::vector<std::string> six = split_list(kManifestHeader);
  if (header.line != 1 || header.fields.size() < six.size() ||
      !std::equal(six.begin(), six.end(), header.fields.begin())) {
    CTC_FAIL(path, ":", header.line, ": header must be '", kManifestHeader,
             "' (then any extra columns), found '", join_names(header.fields, ","), "'");
  }
  for (std::size_t k = 6; k < header.fields.size(); ++k) {
    const std::string& name = header.fields[k];
    CTC_CHECK_INPUT(!name.empty(), path, ":1: column ", k + 1, " has no name");
    for (std::size_t j = 0; j < k; ++j) {
      CTC_CHECK_INPUT(header.fields[j] != name, path, ":1: column '", name, "' is named twice (columns ", j + 1,
                      " and ", k + 1, ")");
    }
  }
  return header.fields;
}

// Checks one row; returns "" or the problem (without the file:line prefix).
std::string parse_row(const CsvRow& row, const std::string& dataset_dir, const ManifestOptions& options,
                      const std::vector<std::string>& columns, const std::unordered_map<std::string, int>& seen,
                      CellRecord& cell) {
  if (row.fields.size() != columns.size()) {
    return detail::concat("expected ", columns.size(), " columns (", join_names(columns, ","), "), found ",
                          row.fields.size());
  }
  cell.extra.assign(row.fields.begin() + 6, row.fields.end());
  cell.line = row.line;
  cell.cell_id = row.fields[0];
  if (cell.cell_id.empty()) return "empty cell_id";
  if (!parse_label(row.fields[1], cell.label)) {
    return detail::concat("unknown label '", row.fields[1], "' (expected ctc or leukocyte)");
  }
  if (!parse_source(row.fields[2], cell.source)) {
    return detail::concat("unknown source '", row.fields[2], "' (expected spike_in, patient or healthy)");
  }
  cell.patient = row.fields[3];
  cell.bf = row.fields[4];
  cell.dapi = row.fields[5];
  if (std::string why = relative_path_problem(cell.bf); !why.empty()) {
    return detail::concat("bf path '", cell.bf, "' ", why);
  }
  if (!cell.dapi.empty()) {
    if (std::string why = relative_path_problem(cell.dapi); !why.empty()) {
      return detail::concat("dapi path '", cell.dapi, "' ", why);
    }
  }
  if (auto it = seen.find(cell.cell_id); it != seen.end()) {
    return detail::concat("duplicate cell id '", cell.cell_id, "' (first on line ", it->second, ")");
  }
  if (options.check_files) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::path(dataset_dir) / cell.bf, ec)) {
      return detail::concat("bf image '", cell.bf, "' not found");
    }
    if (!cell.dapi.empty() && !fs::is_regular_file(fs::path(dataset_dir) / cell.dapi, ec)) {
      return detail::concat("dapi image '", cell.dapi, "' not found");
    }
  }
  return "";
}

}  // namespace

Manifest read_manifest(const std::string& dataset_dir, const ManifestOptions& options) {
  const std::string path = manifest_path(dataset_dir);
  // 256 MiB holds millions of cells; a larger manifest.csv is not one.
  const std::vector<CsvRow> rows = csv_parse(read_file_bytes(path, kMaxManifestBytes), path);
  if (rows.empty()) CTC_FAIL(path, ": empty manifest (expected the header '", kManifestHeader, "')");
  const std::vector<std::string> columns = header_columns(rows.front(), path);
  Manifest manifest;
  manifest.root = dataset_dir;
  manifest.extra_columns.assign(columns.begin() + 6, columns.end());
  std::unordered_map<std::string, int> seen;  // cell id -> line
  for (std::size_t r = 1; r < rows.size(); ++r) {
    CellRecord cell;
    const std::string problem = parse_row(rows[r], dataset_dir, options, columns, seen, cell);
    if (!problem.empty()) {
      std::string message = detail::concat(path, ":", rows[r].line, ": ", problem);
      if (!options.skip_bad_rows) throw Error(message);
      manifest.skipped.push_back(std::move(message));
      continue;
    }
    seen.emplace(cell.cell_id, cell.line);
    manifest.cells.push_back(std::move(cell));
  }
  return manifest;
}

std::vector<std::string> manifest_column(const Manifest& manifest, const std::string& column) {
  std::vector<std::string> columns = split_list(kManifestHeader);
  columns.insert(columns.end(), manifest.extra_columns.begin(), manifest.extra_columns.end());
  const auto found = std::find(columns.begin(), columns.end(), column);
  CTC_CHECK_INPUT(found != columns.end(), manifest_path(manifest.root), " has no column '", column,
                  "' (its columns: ", join_names(columns, ", "), ")");
  const auto index = static_cast<std::size_t>(found - columns.begin());
  std::vector<std::string> values;
  values.reserve(manifest.cells.size());
  for (const CellRecord& c : manifest.cells) {
    const std::string six[] = {c.cell_id, label_name(c.label), source_name(c.source), c.patient, c.bf, c.dapi};
    values.push_back(index < 6 ? six[index] : c.extra[index - 6]);
  }
  return values;
}

void write_manifest(const std::string& dataset_dir, const std::vector<CellRecord>& cells) {
  write_manifest_file(manifest_path(dataset_dir), cells);
}

void write_manifest_file(const std::string& path, const std::vector<CellRecord>& cells) {
  std::string text = kManifestHeader;
  text += '\n';
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t k = 0; k < cells.size(); ++k) {
    const CellRecord& c = cells[k];
    CTC_CHECK_INPUT(!c.cell_id.empty(), path, ": cell ", k, " has an empty cell id");
    CTC_CHECK_INPUT(seen.emplace(c.cell_id, k).second, path, ": duplicate cell id '", c.cell_id, "'");
    const std::string bf_problem = relative_path_problem(c.bf);
    CTC_CHECK_INPUT(bf_problem.empty(), path, ": cell '", c.cell_id, "': bf path '", c.bf, "' ", bf_problem);
    const std::string dapi_problem = c.dapi.empty() ? "" : relative_path_problem(c.dapi);
    CTC_CHECK_INPUT(dapi_problem.empty(), path, ": cell '", c.cell_id, "': dapi path '", c.dapi, "' ", dapi_problem);
    text += csv_line({c.cell_id, label_name(c.label), source_name(c.source), c.patient, c.bf, c.dapi});
  }
  write_file_atomic(path, text);
}

std::string manifest_sha256(const std::string& dataset_dir) { return sha256_file_hex(manifest_path(dataset_dir)); }

}  // namespace ctcscope
