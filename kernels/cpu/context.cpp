// The CPU context: per-thread workspace and thread count.
#include "kernels/cpu/context.h"

#include <omp.h>

#include <cstdlib>

#include "base/error.h"

namespace ctcscope::cpu {

void Context::Free::operator()(void* p) const { std::free(p); }

void* Context::workspace(std::size_t bytes) {
  if (bytes > bytes_) {
    std::size_t rounded = (bytes + 63) / 64 * 64;
    buffer_.reset();
    void* p = std::aligned_alloc(64, rounded);
    CTC_CHECK(p != nullptr, "out of host memory: workspace of ", rounded, " bytes");
    buffer_.reset(p);
    bytes_ = rounded;
  }
  return buffer_.get();
}

Context& context() {
  thread_local Context ctx;
  return ctx;
}

int num_threads() { return omp_get_max_threads(); }

void set_num_threads(int n) {
  CTC_CHECK(n >= 1, "thread count must be at least 1, got ", n);
  omp_set_num_threads(n);
}

}  // namespace ctcscope::cpu
