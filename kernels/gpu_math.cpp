// The process-wide GPU math settings (kernels/gpu_math.h).
#include "kernels/gpu_math.h"

#include <atomic>

#ifdef CTC_WITH_CUDA
#include "kernels/cuda/context.h"
#include "tensor/cuda_memory.h"
#include "tensor/device.h"
#endif

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

void check_gpu_errors() {
#ifdef CTC_WITH_CUDA
  if (!cuda_available()) return;
  cuda::DeviceContext& ctx = cuda::device_context();
  unsigned errors = 0;
  cuda_copy_bytes(&errors, false, &ctx.state()->errors, true, sizeof(errors));
  if (errors == 0) return;
  cuda_zero_bytes(&ctx.state()->errors, sizeof(errors));
  cuda::throw_device_errors(errors, "check_gpu_errors");
#endif
}

}  // namespace ctcscope
