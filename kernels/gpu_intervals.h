// Timing stretches of GPU work for the profiler: each start/stop pair records
// a cudaEvent pair on the process's stream and opens an NVTX range of the
// given name (for Nsight Systems), and nothing waits until the total is
// asked for. Compiles everywhere; without the CUDA backend it does nothing.
#pragma once

#include <cstddef>
#include <vector>

namespace ctcscope {

class GpuIntervals {
 public:
  GpuIntervals() = default;
  ~GpuIntervals();
  GpuIntervals(const GpuIntervals&) = delete;
  GpuIntervals& operator=(const GpuIntervals&) = delete;

  // Opens the NVTX range `name` (copied) and records the start event.
  void start(const char* name);
  void stop();
  // Milliseconds between each start and its stop, summed over every pair
  // recorded so far; waits for the last stop event.
  double total_ms();

 private:
  std::vector<void*> events_;  // cudaEvent_t, start and stop alternating, reused
  std::size_t recorded_ = 0;   // events_ recorded since the last total_ms
  double resolved_ms_ = 0;     // the pairs already summed
};

}  // namespace ctcscope
