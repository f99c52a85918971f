// The paper's four architectures at 148x148, batch 32, on the GPU
// (Device::cuda, TF32 as the default): eval-mode inference and a full train
// step, with a device synchronise per iteration. Same names as bench_models
// (BM_<model>_Inference / _TrainStep); `bench/compare_models.sh cuda` runs it
// beside torchvision on the same GPU. Without a GPU each benchmark stops with
// the reason (SkipWithError). A second of warm-up first: the first iterations
// pick cuDNN algorithms and grow the workspace. --profile: a per-layer table
// instead, with NVTX ranges named as its rows (bench/model_profile.h).
#include <cuda_runtime_api.h>

#include "bench/model_profile.h"
#include "bench/model_workloads.h"
#include "tensor/device.h"

namespace ctcscope::bench {
namespace {

constexpr std::int64_t kBatch = 32;

bool have_gpu(benchmark::State& state) {
  std::string why;
  if (cuda_device_count(&why) > 0) return true;
  state.SkipWithError(("needs a CUDA GPU: " + why).c_str());
  return false;
}

void register_all() {
  const auto sync = [] { cudaDeviceSynchronize(); };
  for (const char* m : kPaperModels) {
    const std::string name = m;
    benchmark::RegisterBenchmark(("BM_" + name + "_Inference").c_str(), [=](benchmark::State& s) {
      if (have_gpu(s)) model_inference(s, name, kBatch, Device::cuda, sync);
    })->Unit(benchmark::kMillisecond)->UseRealTime()->MinWarmUpTime(1.0)->MinTime(2.0);
    benchmark::RegisterBenchmark(("BM_" + name + "_TrainStep").c_str(), [=](benchmark::State& s) {
      if (have_gpu(s)) model_train_step(s, name, kBatch, Device::cuda, sync);
    })->Unit(benchmark::kMillisecond)->UseRealTime()->MinWarmUpTime(1.0)->MinTime(2.0);
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
    if (profile.on) {
      require_cuda_device("bench_models_cuda --profile");
      return bench::run_profile(profile, bench::kBatch, Device::cuda, [] { cudaDeviceSynchronize(); });
    }
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
