// ctcscope index: builds DIR/manifest.csv from the folder layout and reports
// the images that do not pair up.
#include <cstdio>
#include <filesystem>

#include "data/index_folder.h"
#include "data/manifest.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_index(const Argv& argv) {
  Args args("index",
            "Builds a dataset's manifest (cell_id,label,source,patient,bf,dapi) from a folder layout:\n"
            "  DIR/ctc/<cell_id>_bf.png, DIR/ctc/<cell_id>_dapi.png, DIR/leukocyte/...\n"
            "or with a source level: DIR/<ctc|leukocyte>/<spike_in|patient|healthy>/<cell_id>_bf.png.\n"
            "Suffixes _bf/_dapi and .png/.tif/.tiff match in any case. A cell id starting with 'P<digits>_'\n"
            "(P07_c3) names the patient. Without a source level the source is patient for a cell\n"
            "with a patient prefix, else spike_in for CTCs and healthy for leukocytes.\n"
            "BF and DAPI images pair by cell id in one folder: a BF image without DAPI is kept\n"
            "(empty dapi) and reported; a DAPI image without BF, a duplicate cell id or a file\n"
            "that fits no rule is an error, or with --skip-bad is reported and left out.");
  args.option("output", "FILE", "", "where to write the manifest (default DIR/manifest.csv)");
  args.flag("skip-bad", "leave out and report what does not fit instead of failing");
  args.example("ctcscope index data/ctc_dataset");
  args.example("ctcscope index data/ctc_dataset --skip-bad --output /tmp/review.csv");
  // Args takes options only: the dataset folder is the one other word.
  std::string dir;
  Argv options;
  for (std::size_t k = 0; k < argv.size(); ++k) {
    if (argv[k].rfind("--", 0) == 0) {
      options.push_back(argv[k]);
      if (argv[k] == "--output" && k + 1 < argv.size()) options.push_back(argv[++k]);
    } else {
      usage_check(dir.empty(), "one dataset folder expected, got '", dir, "' and '", argv[k], "'");
      dir = argv[k];
    }
  }
  if (!args.parse(options)) return 0;
  usage_check(!dir.empty(), "the dataset folder is missing (ctcscope index DIR)");
  std::string output = args.get("output");
  if (output.empty()) output = (std::filesystem::path(dir) / kManifestFile).string();

  const FolderIndex index = index_folder(dir);
  for (const std::string& note : index.notes) std::printf("note: %s\n", note.c_str());
  const char* kind = args.has("skip-bad") ? "skipped" : "problem";
  for (const std::string& problem : index.problems) std::printf("%s: %s\n", kind, problem.c_str());
  if (!index.problems.empty() && !args.has("skip-bad")) {
    CTC_FAIL(dir, ": ", index.problems.size(), " problem(s) above; fix them or pass --skip-bad (nothing written)");
  }
  write_manifest_file(output, index.cells);
  std::int64_t ctc = 0, with_dapi = 0;
  for (const CellRecord& c : index.cells) {
    ctc += c.label == CellLabel::ctc;
    with_dapi += !c.dapi.empty();
  }
  std::printf("%s: %zu cells (%lld ctc, %lld leukocyte), %lld with DAPI, %zu without, %zu skipped\n", output.c_str(),
              index.cells.size(), static_cast<long long>(ctc), static_cast<long long>(index.cells.size() - ctc),
              static_cast<long long>(with_dapi), index.cells.size() - static_cast<std::size_t>(with_dapi),
              index.problems.size());
  return 0;
}

}  // namespace ctcscope::cli
