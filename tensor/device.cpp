// GPU discovery, the process's stream, the stream-ordered device allocator
// and pinned host buffers. Without CTC_WITH_CUDA only the "no GPU" answers
// and the plain-memory PinnedBuffer are compiled.
#include "tensor/device.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "base/error.h"
#include "tensor/pinned.h"

#ifdef CTC_WITH_CUDA
#include "tensor/cuda_check.h"
#include "tensor/cuda_memory.h"
#endif

namespace ctcscope {

#ifdef CTC_WITH_CUDA

namespace {

struct DeviceCount {
  int count = 0;
  std::string why;
};

// Asked once: the answer does not change while the process runs.
const DeviceCount& device_count() {
  static const DeviceCount result = [] {
    DeviceCount r;
    const cudaError_t e = cudaGetDeviceCount(&r.count);
    if (e != cudaSuccess) {
      (void)cudaGetLastError();  // clear it, so it is not reported by a later call
      r.count = 0;
      r.why = detail::concat("cudaGetDeviceCount says ", cudaGetErrorName(e), " (",
                             cudaGetErrorString(e), ")");
    } else if (r.count == 0) {
      r.why = "cudaGetDeviceCount says 0 devices";
    }
    return r;
  }();
  return result;
}

}  // namespace

int cuda_device_count(std::string* why) {
  const DeviceCount& d = device_count();
  if (why) *why = d.why;
  return d.count;
}

void require_cuda_device(const char* what) {
  std::string why;
  if (cuda_device_count(&why) == 0) CTC_FAIL(what, ": no CUDA device: ", why);
}

cudaStream_t cuda_stream() {
  static const cudaStream_t stream = [] {
    require_cuda_device("cuda_stream");
    CTC_CUDA_CHECK(cudaSetDevice(0));
    // Keep freed memory in the pool (the default threshold 0 returns it to
    // the driver at every synchronisation, which costs a cudaMalloc per op).
    cudaMemPool_t pool = nullptr;
    CTC_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, 0));
    std::uint64_t threshold = UINT64_MAX;
    CTC_CUDA_CHECK(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold));
    cudaStream_t s = nullptr;
    CTC_CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
    return s;
  }();
  return stream;
}

void* cuda_allocate(std::size_t bytes) {
  cudaStream_t stream = cuda_stream();
  void* p = nullptr;
  cudaError_t e = cudaMallocAsync(&p, bytes, stream);
  if (e == cudaErrorMemoryAllocation) {
    // Memory cached by the pool counts as used; give it back and try again.
    (void)cudaGetLastError();
    CTC_CUDA_CHECK(cudaStreamSynchronize(stream));
    cudaMemPool_t pool = nullptr;
    CTC_CUDA_CHECK(cudaDeviceGetDefaultMemPool(&pool, 0));
    CTC_CUDA_CHECK(cudaMemPoolTrimTo(pool, 0));
    e = cudaMallocAsync(&p, bytes, stream);
  }
  if (e == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();
    std::size_t free_bytes = 0, total_bytes = 0;
    CTC_CUDA_CHECK(cudaMemGetInfo(&free_bytes, &total_bytes));
    CTC_FAIL("GPU out of memory: asked for ", bytes, " bytes, ", free_bytes, " bytes free of ",
             total_bytes);
  }
  CTC_CUDA_CHECK(e);
  return p;
}

void cuda_deallocate(void* p) noexcept {
  if (p != nullptr) (void)cudaFreeAsync(p, cuda_stream());
}

void cuda_copy_bytes(void* dst, bool dst_on_device, const void* src, bool src_on_device,
                     std::size_t bytes) {
  if (bytes == 0) return;
  cudaStream_t stream = cuda_stream();
  const cudaMemcpyKind kind = dst_on_device ? (src_on_device ? cudaMemcpyDeviceToDevice
                                                             : cudaMemcpyHostToDevice)
                                            : (src_on_device ? cudaMemcpyDeviceToHost
                                                             : cudaMemcpyHostToHost);
  CTC_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, stream));
  if (!dst_on_device || !src_on_device) CTC_CUDA_CHECK(cudaStreamSynchronize(stream));
}

void cuda_zero_bytes(void* p, std::size_t bytes) {
  if (bytes == 0) return;
  CTC_CUDA_CHECK(cudaMemsetAsync(p, 0, bytes, cuda_stream()));
}

PinnedBuffer::PinnedBuffer(std::size_t bytes) : bytes_(bytes) {
  if (cuda_device_count() > 0) {
    CTC_CUDA_CHECK(cudaMallocHost(&data_, bytes == 0 ? 1 : bytes));
    pinned_ = true;
    return;
  }
  data_ = std::aligned_alloc(64, (std::max<std::size_t>(bytes, 1) + 63) / 64 * 64);
  CTC_CHECK(data_ != nullptr, "out of host memory: PinnedBuffer of ", bytes, " bytes");
}

void PinnedBuffer::release() noexcept {
  if (data_ == nullptr) return;
  if (pinned_) {
    (void)cudaFreeHost(data_);
  } else {
    std::free(data_);
  }
  data_ = nullptr;
}

#else  // no CUDA backend

int cuda_device_count(std::string* why) {
  if (why) *why = "this build has no CUDA backend";
  return 0;
}

void require_cuda_device(const char* what) { CTC_FAIL(what, ": this build has no CUDA backend"); }

PinnedBuffer::PinnedBuffer(std::size_t bytes) : bytes_(bytes) {
  data_ = std::aligned_alloc(64, (std::max<std::size_t>(bytes, 1) + 63) / 64 * 64);
  CTC_CHECK(data_ != nullptr, "out of host memory: PinnedBuffer of ", bytes, " bytes");
}

void PinnedBuffer::release() noexcept {
  std::free(data_);
  data_ = nullptr;
}

#endif

PinnedBuffer::~PinnedBuffer() { release(); }

PinnedBuffer::PinnedBuffer(PinnedBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      pinned_(std::exchange(other.pinned_, false)) {}

PinnedBuffer& PinnedBuffer::operator=(PinnedBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    pinned_ = std::exchange(other.pinned_, false);
  }
  return *this;
}

}  // namespace ctcscope
