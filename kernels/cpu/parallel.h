// When the CPU kernels go parallel. Below kMinParallelElements an op runs on
// the calling thread: waking the team costs microseconds, and far more when
// another process holds a core. Elementwise kernels split into chunks.
#pragma once

#include <algorithm>
#include <cstdint>

namespace ctcscope::cpu {

// About 128 KB of f32: a few microseconds of memory traffic per thread.
inline constexpr std::int64_t kMinParallelElements = std::int64_t{1} << 15;
// Large enough that a tiny tensor is one chunk, small enough to split a real activation.
inline constexpr std::int64_t kElementwiseChunk = std::int64_t{1} << 16;

// Calls body(begin, end) on consecutive ranges covering [0, n), in parallel.
template <class Body>
void parallel_chunks(std::int64_t n, const Body& body) {
  const std::int64_t chunks = (n + kElementwiseChunk - 1) / kElementwiseChunk;
#pragma omp parallel for schedule(dynamic, 1) if (chunks > 1)
  for (std::int64_t k = 0; k < chunks; ++k) {
    body(k * kElementwiseChunk, std::min(n, (k + 1) * kElementwiseChunk));
  }
}

}  // namespace ctcscope::cpu
