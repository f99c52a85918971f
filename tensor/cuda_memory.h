// Device memory for Storage (CUDA builds only): one stream per process for
// the engine's work, and a stream-ordered allocator on it. Memory comes from
// the device's default memory pool with its release threshold raised, so
// freed blocks stay cached for the next op instead of going back to the driver.
#pragma once

#ifndef CTC_WITH_CUDA
#error "tensor/cuda_memory.h is for CUDA builds only (CTC_WITH_CUDA)"
#endif

#include <cuda_runtime_api.h>

#include <cstddef>

namespace ctcscope {

// The stream every op and copy of this process runs on (device 0), created
// on first use after checking that a device exists. Never destroyed.
cudaStream_t cuda_stream();

// cudaMallocAsync on cuda_stream(). On out-of-memory, trims the pool's cache
// and retries once, then throws with the bytes asked for and the bytes free.
void* cuda_allocate(std::size_t bytes);
// cudaFreeAsync on cuda_stream(); never throws (called from destructors).
void cuda_deallocate(void* p) noexcept;

}  // namespace ctcscope

namespace ctcscope {

// Copies `bytes` between host and device memory (any direction) on
// cuda_stream(). A copy that touches host memory waits for the stream, so
// the host may read or reuse its buffer when it returns; a device-to-device
// copy stays queued on the stream.
void cuda_copy_bytes(void* dst, bool dst_on_device, const void* src, bool src_on_device,
                     std::size_t bytes);
// cudaMemsetAsync(p, 0, bytes) on cuda_stream().
void cuda_zero_bytes(void* p, std::size_t bytes);

}  // namespace ctcscope
