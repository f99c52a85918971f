// Host memory for CPU tensors (tensor/host_memory.h).
#include "tensor/host_memory.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <mutex>

namespace ctcscope {
namespace {

constexpr std::size_t kAlignment = 64;

// glibc serves blocks above its mmap threshold (128 KiB at start) with fresh
// mmap()s and gives freed heap tops back to the kernel, so each layer's
// activations came as new pages on every forward: a page fault and a zeroed
// page each (top showed a fifth of a benchmark's time in the kernel). With
// freed blocks kept, the medians of three alternated inference runs were
// 1.1-1.7x on three networks of four (bench/RESULTS.md). Freed blocks up to
// 32 MiB (glibc's largest threshold) now stay in the heap for the next
// tensor; larger ones go through the cache below. What is freed after the
// peak stays resident. A sanitizer's allocator ignores these settings.
const bool kHeapKeepsFreedBlocks = [] {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(kLargeHostBlock));
  mallopt(M_TRIM_THRESHOLD, INT_MAX);
#endif
  return true;
}();

// A block glibc maps afresh (above the threshold) is asked to be backed by 2
// MiB pages where the kernel has transparent huge pages in madvise mode, as
// Debian's has: one fault per 2 MiB instead of 512. Only the block's whole 2
// MiB pages inside it; a kernel without THP ignores the advice.
void advise_huge_pages(void* data, std::size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) / kHuge * kHuge;
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) / kHuge * kHuge;
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#else
  (void)data, (void)bytes;
#endif
}

// Even on huge pages, a block above the threshold was zeroed by the kernel on
// every forward: EfficientNet-B4's 50 MB expansion at 74x74 (batch 16) spent
// 2.7% of its inference in clear_page. Freed large blocks are kept here and
// handed to the next request of the same size, as the next forward makes; a
// few, so that what is held beyond the live tensors stays bounded.
struct LargeBlock {
  void* data;
  std::size_t bytes;
};

struct LargeBlockCache {
  std::mutex mutex;
  std::deque<LargeBlock> blocks;  // oldest first
};

LargeBlockCache& cache() {
  static auto* kept = new LargeBlockCache();  // never destroyed, lock included: tensors die during exit too
  return *kept;
}

std::size_t rounded(std::size_t bytes) {
  return (std::max<std::size_t>(bytes, 1) + kAlignment - 1) / kAlignment * kAlignment;
}

}  // namespace

void* host_allocate(std::size_t bytes) {
  (void)kHeapKeepsFreedBlocks;
  const std::size_t size = rounded(bytes);
  if (size >= kLargeHostBlock) {
    LargeBlockCache& kept = cache();
    std::lock_guard<std::mutex> lock(kept.mutex);
    auto& blocks = kept.blocks;
    const auto hit = std::find_if(blocks.begin(), blocks.end(), [&](const LargeBlock& b) { return b.bytes == size; });
    if (hit != blocks.end()) {
      void* data = hit->data;
      blocks.erase(hit);
      return data;
    }
  }
  void* data = std::aligned_alloc(kAlignment, size);
  if (data != nullptr && size >= kLargeHostBlock) advise_huge_pages(data, size);
  return data;
}

void host_free(void* data, std::size_t bytes) {
  if (data == nullptr) return;
  const std::size_t size = rounded(bytes);
  if (size < kLargeHostBlock || size > kLargestCachedBlock) return std::free(data);
  void* evicted = nullptr;
  {
    LargeBlockCache& kept = cache();
    std::lock_guard<std::mutex> lock(kept.mutex);
    auto& blocks = kept.blocks;
    blocks.push_back({data, size});
    if (static_cast<int>(blocks.size()) > kCachedLargeBlocks) {
      evicted = blocks.front().data;
      blocks.pop_front();
    }
  }
  std::free(evicted);
}

int cached_large_host_blocks() {
  LargeBlockCache& kept = cache();
  std::lock_guard<std::mutex> lock(kept.mutex);
  return static_cast<int>(kept.blocks.size());
}

}  // namespace ctcscope
