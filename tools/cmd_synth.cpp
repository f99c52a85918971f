// ctcscope synth: writes the generated DEPArray-like dataset (the project's
// default data) to a folder: bf/, dapi/ and manifest.csv.
#include <cstdint>
#include <cstdio>

#include "data/synth.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_synth(const Argv& argv) {
  Args args("synth",
            "Generates single-cell bright-field and DAPI images like a DEPArray export:\n"
            "spike-in tumor cell-line cells, patient CTCs and leukocytes (counts of the\n"
            "paper's Table 1 by default), into OUT_DIR/bf, OUT_DIR/dapi and\n"
            "OUT_DIR/manifest.csv. The same seed gives the same bytes on any thread count.");
  SynthOptions o;
  args.option("seed", "N", "0", "seed of every drawn cell");
  args.option("difficulty", "0..1", "0.5", "how much the classes overlap (0: barely, 1: heavily)");
  args.option("spike-in", "N", std::to_string(o.spike_in), "tumor cell-line cells spiked into healthy blood");
  args.option("patient-ctc", "N", std::to_string(o.patient_ctc), "CTCs from patients");
  args.option("patients", "N", std::to_string(o.patients), "patients the CTCs come from");
  args.option("leukocytes", "N", std::to_string(o.leukocytes), "leukocytes (healthy volunteers and patients)");
  args.option("bit-depth", "8|16", "8", "bits per sample of the PNG files");
  args.option("camera-bits", "N", "0",
              "below --bit-depth: raw counts of a camera of N bits (dark offset, gain, read noise), as real 12-bit "
              "cameras write 16-bit files; 0: the scene spread over the file's whole range");
  add_threads_option(args);
  args.example("ctcscope synth data/synth");
  args.example("ctcscope synth data/synth16 --bit-depth 16 --camera-bits 12   # the same cells as a 12-bit camera");
  args.example("ctcscope synth /tmp/small --spike-in 40 --patient-ctc 10 --patients 3 --leukocytes 40");
  // OUT_DIR comes first; the options follow.
  std::string out_dir;
  Argv rest = argv;
  if (!rest.empty() && !rest.front().empty() && rest.front()[0] != '-') {
    out_dir = rest.front();
    rest.erase(rest.begin());
  }
  if (!args.parse(rest)) return 0;
  usage_check(!out_dir.empty(), "synth: missing OUT_DIR (ctcscope synth OUT_DIR [options])");
  apply_threads_option(args);
  o.seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
  o.difficulty = args.get_double("difficulty", 0.0, 1.0);
  o.spike_in = args.get_int("spike-in", 0, 1000000);
  o.patient_ctc = args.get_int("patient-ctc", 0, 1000000);
  o.patients = args.get_int("patients", 1, 100000);
  o.leukocytes = args.get_int("leukocytes", 0, 1000000);
  o.bit_depth = static_cast<int>(args.get_int("bit-depth", 8, 16));
  usage_check(o.bit_depth == 8 || o.bit_depth == 16, "synth: --bit-depth must be 8 or 16");
  o.camera_bits = static_cast<int>(args.get_int("camera-bits", 0, 16));
  usage_check(o.camera_bits == 0 || (o.camera_bits >= 8 && o.camera_bits <= o.bit_depth),
              "synth: --camera-bits must be 0 or in 8..--bit-depth");
  if (!args.get("threads").empty()) o.threads = static_cast<int>(args.get_int("threads", 1, 1024));
  auto cells = synth_dataset(out_dir, o);
  std::printf("synth: %zu cells (%lld spike-in, %lld patient CTCs from %lld patients, %lld leukocytes), seed %llu, "
              "difficulty %g, %d-bit files%s -> %s/manifest.csv\n",
              cells.size(), static_cast<long long>(o.spike_in), static_cast<long long>(o.patient_ctc),
              static_cast<long long>(o.patients), static_cast<long long>(o.leukocytes),
              static_cast<unsigned long long>(o.seed), o.difficulty, o.bit_depth,
              o.camera_bits > 0 && o.camera_bits < o.bit_depth ? (" of a " + std::to_string(o.camera_bits) + "-bit camera").c_str() : "",
              out_dir.c_str());
  return 0;
}

}  // namespace ctcscope::cli
