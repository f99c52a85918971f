// PinnedBuffer: page-locked host memory, so that host-to-device copies run
// asynchronously at full speed (the batch loader fills one while the GPU
// works on the previous batch). Without the CUDA backend, or without a GPU,
// it is ordinary 64-byte-aligned host memory with the same interface.
#pragma once

#include <cstddef>

namespace ctcscope {

class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  explicit PinnedBuffer(std::size_t bytes);
  ~PinnedBuffer();
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  PinnedBuffer(PinnedBuffer&& other) noexcept;
  PinnedBuffer& operator=(PinnedBuffer&& other) noexcept;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  // True when the memory is page-locked (cudaMallocHost), false when plain.
  bool pinned() const { return pinned_; }

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  bool pinned_ = false;
};

}  // namespace ctcscope
