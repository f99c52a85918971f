// The model benchmarks' --profile mode: instead of timing whole steps, a
// per-layer profile (layers/profiler.h) of a few train steps of one network
// at 148x148, after one unprofiled warm-up step; the table goes to stdout,
// the CSV to a file. Flags (taken out of argv before Google Benchmark sees it):
//   --profile[=FILE.csv]   profile instead of benchmarking (CSV default: profile_<model>_<device>.csv)
//   --profile-model=NAME   the network (default resnet50)
//   --profile-steps=N      profiled train steps (default 3)
//   --peak-gflops=G        the machine's peak instead of the computed one
#pragma once

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench/model_workloads.h"
#include "eval/profile_table.h"
#include "kernels/machine_peak.h"
#include "layers/profiler.h"

namespace ctcscope::bench {

struct ProfileRequest {
  bool on = false;
  std::string model = "resnet50";
  std::string csv;  // "": profile_<model>_<device>.csv
  long steps = 3;
  double peak_gflops = 0;  // 0: computed
};

inline const char* kProfileHelp =
    "--profile mode (instead of the benchmarks): a per-layer table of train steps\n"
    "  --profile[=FILE.csv]   profile; the CSV to FILE.csv (default profile_<model>_<device>.csv)\n"
    "  --profile-model=NAME   the network (default resnet50)\n"
    "  --profile-steps=N      profiled train steps after one warm-up step (default 3)\n"
    "  --peak-gflops=G        the machine's fp32 peak, instead of the one computed\n"
    "  example: OMP_NUM_THREADS=2 bench_models --profile=resnet50.csv --profile-steps=3\n";

// Takes the profile flags out of argv; a bad value prints why and exits 2.
inline ProfileRequest take_profile_flags(int& argc, char** argv) {
  ProfileRequest r;
  auto value = [](const char* arg, const char* flag) -> const char* {
    const std::size_t n = std::strlen(flag);
    return std::strncmp(arg, flag, n) == 0 && arg[n] == '=' ? arg + n + 1 : nullptr;
  };
  auto bad = [](const char* arg, const char* why) {
    std::fprintf(stderr, "bench: %s: %s\n", arg, why);
    std::exit(2);
  };
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    const char* a = argv[i];
    const char* v = nullptr;
    char* end = nullptr;
    if (std::strcmp(a, "--profile") == 0) {
      r.on = true;
    } else if ((v = value(a, "--profile"))) {
      r.on = true;
      r.csv = v;
      if (r.csv.empty()) bad(a, "needs a file name after '='");
    } else if ((v = value(a, "--profile-model"))) {
      r.model = v;
      if (!is_model_name(r.model)) bad(a, "unknown model (see ctcscope models)");
    } else if ((v = value(a, "--profile-steps"))) {
      r.steps = std::strtol(v, &end, 10);
      if (end == v || *end || r.steps < 1 || r.steps > 1000) bad(a, "must be an integer in [1, 1000]");
    } else if ((v = value(a, "--peak-gflops"))) {
      r.peak_gflops = std::strtod(v, &end);
      if (end == v || *end || !(r.peak_gflops > 0)) bad(a, "must be a number above 0");
    } else {
      if (std::strcmp(a, "--help") == 0) std::fputs(kProfileHelp, stdout);
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  return r;
}

// One warm-up train step, then r.steps profiled ones; prints the table and
// writes the CSV. Returns the exit status.
template <class Sync>
int run_profile(const ProfileRequest& r, std::int64_t batch, Device device, Sync sync) {
  TrainStep step(r.model, batch, device);
  step.run();
  sync();
  Profiler profiler(device);
  profiler.attach(*step.model, r.model);
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < r.steps; ++i) step.run();
  sync();
  const double step_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() / r.steps;
  profiler.detach();
  const ProfileResult result = profiler.result();
  const MachinePeak peak = machine_peak(device, r.peak_gflops);
  std::printf("%s, batch %lld, %lldx%lld, on %s: a whole train step (loss and AdamW too) takes %.1f ms\n",
              r.model.c_str(), static_cast<long long>(batch), static_cast<long long>(kSize),
              static_cast<long long>(kSize), device_name(device), step_ms);
  std::fputs(profile_table(result, peak).c_str(), stdout);
  const std::string csv = r.csv.empty() ? "profile_" + r.model + "_" + device_name(device) + ".csv" : r.csv;
  write_profile_csv(csv, result, peak);
  std::printf("wrote %s\n", csv.c_str());
  return 0;
}

}  // namespace ctcscope::bench
