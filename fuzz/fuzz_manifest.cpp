// The dataset manifest (data/manifest, data/csv): any bytes as manifest.csv
// either parse into rows or give ctcscope::Error; with skip_bad_rows a row
// is either kept or reported, never both.
#include "data/manifest.h"
#include "fuzz/fuzz_input.h"
#include "base/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ctcscope::fuzz::write_input(data, size, "manifest.csv");
  const std::string dir = ctcscope::fuzz::scratch_dir().string();
  for (bool skip : {false, true}) {
    try {
      ctcscope::ManifestOptions options;
      options.check_files = false;
      options.skip_bad_rows = skip;
      ctcscope::Manifest m = ctcscope::read_manifest(dir, options);
      for (const auto& cell : m.cells) {
        if (cell.cell_id.empty() || cell.bf.empty()) __builtin_trap();
      }
    } catch (const ctcscope::Error&) {
    }
  }
  return 0;
}
