// Walks DIR/<label>/[<source>/] folders, pairs <id>_bf.<ext> with
// <id>_dapi.<ext> (ext: .png, .tif, .tiff), and reports what does not fit.
#include "data/index_folder.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "data/image_file.h"
#include "base/error.h"

namespace ctcscope {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<fs::directory_entry> sorted_entries(const fs::path& dir) {
  std::vector<fs::directory_entry> entries{fs::directory_iterator(dir), fs::directory_iterator()};
  std::sort(entries.begin(), entries.end(),
            [](const auto& a, const auto& b) { return a.path().filename() < b.path().filename(); });
  return entries;
}

// "<id>_bf.<ext>" or "<id>_dapi.<ext>" with an image extension read_image
// takes, suffix and extension in any case; false for any other name.
bool split_cell_image_name(const std::string& name, std::string& id, bool& is_bf) {
  if (!is_image_file_name(name)) return false;
  const std::string stem = name.substr(0, name.find_last_of('.'));
  const std::string low = lower(stem);
  is_bf = ends_with(low, "_bf");
  if (is_bf || ends_with(low, "_dapi")) id = stem.substr(0, stem.size() - (is_bf ? 3 : 5));
  return !id.empty();
}

struct Pair {
  std::string bf, dapi;  // relative paths
};

struct Walk {
  std::string root;
  FolderIndex& out;
  std::map<std::string, std::string> first_folder;  // cell id -> folder it was first seen in

  // Files of one leaf folder, paired by cell id.
  void leaf(const fs::path& dir, CellLabel label, bool has_source, CellSource source) {
    const std::string rel_dir = fs::relative(dir, root).generic_string();
    std::map<std::string, Pair> pairs;
    for (const auto& e : sorted_entries(dir)) {
      const std::string name = e.path().filename().string();
      const std::string rel = rel_dir + "/" + name;
      if (e.is_directory()) {
        out.problems.push_back(rel + "/: folder not expected here (ignored)");
        continue;
      }
      std::string id;
      bool is_bf = false;
      if (!split_cell_image_name(name, id, is_bf)) {
        out.problems.push_back(rel + ": name is not <cell_id>_bf or <cell_id>_dapi with .png, .tif or .tiff (ignored)");
        continue;
      }
      std::string& slot = is_bf ? pairs[id].bf : pairs[id].dapi;
      if (!slot.empty()) {  // a_bf.png beside a_bf.tif: which is meant is not known
        out.problems.push_back(rel + ": a second " + (is_bf ? "BF" : "DAPI") + " image of cell '" + id + "' (" +
                               slot + " kept; ignored)");
        continue;
      }
      slot = rel;
    }
    for (auto& [id, pair] : pairs) {
      if (pair.bf.empty()) {
        out.problems.push_back(pair.dapi + ": DAPI image without a BF image (cell '" + id + "' skipped)");
        continue;
      }
      if (auto it = first_folder.find(id); it != first_folder.end()) {
        out.problems.push_back(pair.bf + ": duplicate cell id '" + id + "' (first in " + it->second +
                               "/; skipped)");
        continue;
      }
      first_folder.emplace(id, rel_dir);
      if (pair.dapi.empty()) out.notes.push_back(pair.bf + ": no DAPI image (cell '" + id + "' kept without one)");
      CellRecord c;
      c.cell_id = id;
      c.label = label;
      c.patient = patient_prefix(id);
      c.source = has_source ? source
                            : (!c.patient.empty() ? CellSource::patient
                                                  : (label == CellLabel::ctc ? CellSource::spike_in
                                                                             : CellSource::healthy));
      c.bf = pair.bf;
      c.dapi = pair.dapi;
      out.cells.push_back(std::move(c));
    }
  }
};

}  // namespace

std::string patient_prefix(const std::string& cell_id) {
  if (cell_id.size() < 3 || (cell_id[0] != 'P' && cell_id[0] != 'p')) return "";
  std::size_t k = 1;
  while (k < cell_id.size() && std::isdigit(static_cast<unsigned char>(cell_id[k]))) ++k;
  if (k == 1 || k >= cell_id.size() || cell_id[k] != '_') return "";
  return cell_id.substr(0, k);
}

FolderIndex index_folder(const std::string& dataset_dir) {
  std::error_code ec;
  CTC_CHECK_INPUT(fs::is_directory(dataset_dir, ec), dataset_dir, ": not a folder");
  FolderIndex out;
  Walk walk{dataset_dir, out, {}};
  bool any_label = false;
  for (const auto& e : sorted_entries(dataset_dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_directory()) continue;  // manifest.csv, split files, notes
    CellLabel label;
    if (!parse_label(lower(name), label)) {
      out.problems.push_back(name + "/: not a class folder (expected ctc or leukocyte; ignored)");
      continue;
    }
    any_label = true;
    // Either images directly, or one level of source folders.
    bool has_files = false;
    for (const auto& sub : sorted_entries(e.path())) has_files = has_files || !sub.is_directory();
    if (has_files) {
      walk.leaf(e.path(), label, false, CellSource::healthy);
      continue;
    }
    for (const auto& sub : sorted_entries(e.path())) {
      CellSource source;
      const std::string sub_name = sub.path().filename().string();
      if (!parse_source(lower(sub_name), source)) {
        out.problems.push_back(name + "/" + sub_name +
                               "/: not a source folder (expected spike_in, patient or healthy; ignored)");
        continue;
      }
      walk.leaf(sub.path(), label, true, source);
    }
  }
  CTC_CHECK_INPUT(any_label, dataset_dir, ": no ctc/ or leukocyte/ folder (see ctcscope index --help for the layout)");
  std::sort(out.cells.begin(), out.cells.end(),
            [](const CellRecord& a, const CellRecord& b) { return a.cell_id < b.cell_id; });
  return out;
}

}  // namespace ctcscope
