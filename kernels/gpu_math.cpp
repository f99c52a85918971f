// The process-wide GPU math settings (kernels/gpu_math.h).
#include "kernels/gpu_math.h"

#include <atomic>

namespace ctcscope {
namespace {
std::atomic<bool> g_allow_tf32{true};
std::atomic<bool> g_deterministic{false};
}  // namespace

GpuMath gpu_math() { return GpuMath{g_allow_tf32.load(), g_deterministic.load()}; }

void set_gpu_math(const GpuMath& math) {
  g_allow_tf32.store(math.allow_tf32);
  g_deterministic.store(math.deterministic);
}

}  // namespace ctcscope
