// The machine's peak fp32 rate, the denominator of the profiler's "% of
// peak": computed from what the machine reports (never a table of known
// machines), with the arithmetic in words so a reader can check it.
#pragma once

#include <string>

#include "tensor/device.h"
#include "tensor/dtype.h"

namespace ctcscope {

struct MachinePeak {
  double gflops = 0;  // 0: unknown (the table then shows no share of peak)
  std::string how;    // "2 threads x 2 FMA pipes (assumed) x 16 fp32 lanes (avx512f) x ..."
};

// CPU: threads x 2 FMA pipes per core (assumed: /proc/cpuinfo does not say)
// x fp32 lanes (16 with avx512f, 8 with avx2, 4 otherwise) x 2 flops per FMA
// x the highest "cpu MHz" in `cpuinfo` (the text of /proc/cpuinfo).
MachinePeak cpu_peak_from_cpuinfo(const std::string& cpuinfo, int threads);
// The same from this machine's /proc/cpuinfo and the CPU kernels' thread count.
MachinePeak cpu_peak();
// GPU 0: SMs x fp32 lanes per SM (64 on compute capability 6.0, 7.x and 8.0,
// else 128) x 2 flops per FMA x its clock. Plain fp32: TF32 tensor cores can
// beat it. Unknown (0) without a GPU.
MachinePeak gpu_peak();
// The peak of the device the work ran on, or `stated_gflops` when above 0
// (--peak-gflops).
MachinePeak machine_peak(Device device, double stated_gflops);

}  // namespace ctcscope
