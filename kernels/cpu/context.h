// The CPU backend's per-thread context: a scratch workspace that grows on
// demand and is never freed per op, and the number of worker threads.
// Kernels take their scratch from here instead of allocating.
#pragma once

#include <cstddef>
#include <memory>

namespace ctcscope::cpu {

class Context {
 public:
  // At least `bytes` of 64-byte-aligned scratch, valid until the next call
  // on this thread. The contents are not kept.
  void* workspace(std::size_t bytes);
  std::size_t workspace_bytes() const { return bytes_; }

 private:
  struct Free {
    void operator()(void* p) const;
  };
  std::unique_ptr<void, Free> buffer_;
  std::size_t bytes_ = 0;
};

// The context of the calling thread.
Context& context();

// Worker threads the CPU kernels use (OpenMP; OMP_NUM_THREADS sets it).
int num_threads();
void set_num_threads(int n);

}  // namespace ctcscope::cpu
