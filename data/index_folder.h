// Building a manifest from a plain folder layout:
//   DIR/<label>/[<source>/]<cell_id>_bf.png  and  <cell_id>_dapi.png
// (or .tif / .tiff). <label> is ctc or leukocyte; the optional <source> level
// is spike_in, patient or healthy. Suffixes _bf/_dapi and the extension match
// in any case; a second BF (or DAPI) image of one cell is a problem. A cell id starting with a patient prefix "P<digits>_" (P07_c3) gives
// the patient (P07). Without a source level the source is patient when the
// cell has a patient prefix, else spike_in for CTCs and healthy for leukocytes.
// BF and DAPI images pair by cell id within one folder.
#pragma once

#include <string>
#include <vector>

#include "data/manifest.h"

namespace ctcscope {

struct FolderIndex {
  std::vector<CellRecord> cells;      // sorted by cell id
  std::vector<std::string> notes;     // kept, but worth knowing: a BF without DAPI
  std::vector<std::string> problems;  // left out: a DAPI without BF, a duplicate
                                      // cell id, a file or folder that fits no rule
};

FolderIndex index_folder(const std::string& dataset_dir);

// "P07" for "P07_c3", "" when the id has no patient prefix.
std::string patient_prefix(const std::string& cell_id);

}  // namespace ctcscope
