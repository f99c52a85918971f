// GPU intervals (kernels/gpu_intervals.h): cudaEvent pairs on the process's
// stream and NVTX push/pop ranges (nvtx3, header-only: no library to link).
#include "kernels/gpu_intervals.h"

#ifdef CTC_WITH_CUDA
#include <cuda_runtime_api.h>
#include <nvtx3/nvToolsExt.h>

#include "kernels/cuda/context.h"
#endif

namespace ctcscope {

#ifdef CTC_WITH_CUDA

namespace {
cudaEvent_t event_at(const std::vector<void*>& events, std::size_t i) { return static_cast<cudaEvent_t>(events[i]); }
}  // namespace

GpuIntervals::~GpuIntervals() {
  // A destructor must not throw: a failed destroy only leaks an event.
  for (void* e : events_) cudaEventDestroy(static_cast<cudaEvent_t>(e));
}

void GpuIntervals::start(const char* name) {
  nvtxRangePushA(name);
  if (recorded_ + 2 > events_.size()) {
    for (int i = 0; i < 2; ++i) {
      cudaEvent_t e = nullptr;
      CTC_CUDA_CHECK(cudaEventCreate(&e));
      events_.push_back(e);
    }
  }
  CTC_CUDA_CHECK(cudaEventRecord(event_at(events_, recorded_), cuda::device_context().stream()));
  ++recorded_;
}

void GpuIntervals::stop() {
  CTC_CUDA_CHECK(cudaEventRecord(event_at(events_, recorded_), cuda::device_context().stream()));
  ++recorded_;
  nvtxRangePop();
}

double GpuIntervals::total_ms() {
  CTC_CHECK(recorded_ % 2 == 0, "GpuIntervals::total_ms inside a start/stop pair");
  if (recorded_ > 0) CTC_CUDA_CHECK(cudaEventSynchronize(event_at(events_, recorded_ - 1)));
  for (std::size_t i = 0; i < recorded_; i += 2) {
    float ms = 0;
    CTC_CUDA_CHECK(cudaEventElapsedTime(&ms, event_at(events_, i), event_at(events_, i + 1)));
    resolved_ms_ += ms;
  }
  recorded_ = 0;
  return resolved_ms_;
}

#else

GpuIntervals::~GpuIntervals() = default;
void GpuIntervals::start(const char* /*name*/) {}
void GpuIntervals::stop() {}
double GpuIntervals::total_ms() { return resolved_ms_; }

#endif

}  // namespace ctcscope
