// The paper's four architectures (densenet121, efficientnet_b4, resnet50,
// resnet34) at 148x148, batch 16, on the CPU backend: eval-mode inference and
// a full train step. Prints images per second as items_per_second, named
// BM_<model>_Inference / _TrainStep; `bench/compare_models.sh cpu` runs it
// beside torchvision in the same run. --profile: a per-layer table instead
// (bench/model_profile.h).
#include "bench/model_profile.h"
#include "bench/model_workloads.h"

namespace ctcscope::bench {
namespace {

constexpr std::int64_t kBatch = 16;

void register_all() {
  const auto no_sync = [] {};
  for (const char* m : kPaperModels) {
    const std::string name = m;
    benchmark::RegisterBenchmark(("BM_" + name + "_Inference").c_str(), [=](benchmark::State& s) {
      model_inference(s, name, kBatch, Device::cpu, no_sync);
    })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);
    benchmark::RegisterBenchmark(("BM_" + name + "_TrainStep").c_str(), [=](benchmark::State& s) {
      model_train_step(s, name, kBatch, Device::cpu, no_sync);
    })->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(8.0);
  }
}

// Registered before main runs, so BENCHMARK_MAIN's --benchmark_filter sees them.
[[maybe_unused]] const bool registered = (register_all(), true);

}  // namespace
}  // namespace ctcscope::bench

// --profile (bench/model_profile.h) instead of the benchmarks; else as BENCHMARK_MAIN.
int main(int argc, char** argv) {
  using namespace ctcscope;
  const bench::ProfileRequest profile = bench::take_profile_flags(argc, argv);
  try {
    if (profile.on) return bench::run_profile(profile, bench::kBatch, Device::cpu, [] {});
  } catch (const Error& e) {
    std::fprintf(stderr, "bench: %s\n", e.what());
    return 1;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
