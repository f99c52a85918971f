// The engine's packed f32 GEMM (kernels/cpu/gemm.h) beside Eigen's, on one
// thread, on the GEMM shapes the paper's convolutions make (rows: output
// channels; columns: a chunk's output pixels; depth: C*R*S). Ours is timed as
// a convolution uses it: A (the weights) packed once outside the loop, B
// packed on every call, on each of its vector paths the CPU has (the second
// argument: 1 AVX2, 2 AVX-512). Counter GFLOP/s: 2*M*N*K per call. BM_FmaPeak is the
// core's own ceiling: 24 independent chains of 16-lane fused multiply-adds
// (the micro-kernel's 24 accumulators), nothing loaded or stored.
//   OMP_NUM_THREADS=1 build/bench/bench_gemm

// GCC 12's own AVX-512 intrinsics raise false -Wmaybe-uninitialized warnings
// once Eigen's kernels are inlined (GCC PR105593), as in kernels/cpu/conv.cpp.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include <benchmark/benchmark.h>

#include <Eigen/Core>
#include <cstdint>
#include <immintrin.h>
#include <random>
#include <string>
#include <vector>

#include "kernels/cpu/gemm.h"

namespace {

struct GemmShape {
  const char* name;
  std::int64_t m, n, k;
};

const GemmShape kShapes[] = {
    {"layer1_3x3_64_37", 64, 1369, 576},      {"layer2_3x3_128_19", 128, 361, 1152},
    {"layer3_3x3_256_10", 256, 400, 2304},    {"layer4_3x3_512_5", 512, 400, 4608},
    {"layer1_1x1_256to128_37", 128, 1369, 256}, {"dense_3x3_128to32_37", 32, 1369, 1152},
    {"layer1_1x1_64to256_40", 256, 1600, 64}, {"layer3_1x1_256to1024_20", 1024, 400, 256},
};

using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

RowMajor random_matrix(std::int64_t rows, std::int64_t cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  RowMajor m(rows, cols);
  for (std::int64_t i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
  return m;
}

void set_counters(benchmark::State& state, const GemmShape& s) {
  state.SetLabel(s.name);
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * s.m * s.n * s.k, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

void BM_GemmEigen(benchmark::State& state) {
  const GemmShape& s = kShapes[state.range(0)];
  Eigen::setNbThreads(1);
  const RowMajor a = random_matrix(s.m, s.k, 1), b = random_matrix(s.k, s.n, 2);
  RowMajor c(s.m, s.n);
  for (auto _ : state) {
    c.noalias() = a * b;
    benchmark::DoNotOptimize(c.data());
  }
  set_counters(state, s);
}

void BM_GemmPacked(benchmark::State& state) {
  const GemmShape& s = kShapes[state.range(0)];
  const auto path = static_cast<ctcscope::cpu::GemmPath>(state.range(1));
  const ctcscope::cpu::GemmPath best = ctcscope::cpu::gemm_path();
  if (!ctcscope::cpu::set_gemm_path(path)) {
    state.SkipWithError("this CPU lacks the path");
    return;
  }
  const RowMajor a = random_matrix(s.m, s.k, 1), b = random_matrix(s.k, s.n, 2);
  RowMajor c(s.m, s.n);
  std::vector<float> pa(ctcscope::cpu::packed_a_size(s.m, s.k)), pb(ctcscope::cpu::packed_b_size(s.k, s.n));
  ctcscope::cpu::pack_a(s.m, s.k, a.data(), s.k, 1, pa.data());
  for (auto _ : state) {
    ctcscope::cpu::pack_b(s.k, s.n, b.data(), s.n, 1, pb.data());
    ctcscope::cpu::gemm_packed(s.m, s.n, s.k, pa.data(), pb.data(), c.data(), s.n, false);
    benchmark::DoNotOptimize(c.data());
  }
  ctcscope::cpu::set_gemm_path(best);
  set_counters(state, s);
  state.SetLabel(std::string(s.name) + " " + ctcscope::cpu::gemm_path_name(path));
}

__attribute__((target("avx512f"))) void fma_chains(benchmark::State& state) {
  constexpr int kChains = 24;
  constexpr std::int64_t kSteps = 1 << 20;
  __m512 acc[kChains];
  for (int i = 0; i < kChains; ++i) acc[i] = _mm512_set1_ps(0.001f * i);
  const __m512 scale = _mm512_set1_ps(0.9999f), add = _mm512_set1_ps(1e-5f);
  for (auto _ : state) {
    for (std::int64_t step = 0; step < kSteps; ++step)
#pragma GCC unroll 24
      for (int i = 0; i < kChains; ++i) acc[i] = _mm512_fmadd_ps(acc[i], scale, add);
    for (int i = 0; i < kChains; ++i) benchmark::DoNotOptimize(acc[i]);
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * 16 * kChains * kSteps,
                                                 benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

void BM_FmaPeak(benchmark::State& state) {
  if (!ctcscope::cpu::gemm_path_supported(ctcscope::cpu::GemmPath::avx512)) {
    state.SkipWithError("this CPU has no AVX-512");
    return;
  }
  fma_chains(state);
}
BENCHMARK(BM_FmaPeak)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK(BM_GemmEigen)->DenseRange(0, std::size(kShapes) - 1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_GemmPacked)
    ->ArgsProduct({benchmark::CreateDenseRange(0, std::size(kShapes) - 1, 1), {1, 2}})
    ->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
