// PinnedBuffer: page-locked host memory, so that host-to-device copies run
// asynchronously at full speed (the batch loader fills one while the GPU
// works on the previous batch). Without the CUDA backend, or without a GPU,
// it is ordinary 64-byte-aligned host memory with the same interface.
// Tensors take them through Tensor::empty_pinned, from the pool below.
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

// The pinned pool: batches are allocated per step, and cudaMallocHost is
// slow while cudaFreeHost waits for the whole GPU (it would undo the
// overlap pinned memory is for), so freed buffers are kept and reused.
// take: a free buffer of `bytes` to twice that, else a new one.
PinnedBuffer take_pinned_buffer(std::size_t bytes);
// Back to the pool; past kPinnedPoolBytes kept, the buffer is freed instead.
void recycle_pinned_buffer(PinnedBuffer buffer) noexcept;
inline constexpr std::size_t kPinnedPoolBytes = std::size_t{1} << 30;

}  // namespace ctcscope
