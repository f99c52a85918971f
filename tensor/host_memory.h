// Host memory for CPU tensors: 64-byte-aligned blocks from the C heap, with
// what it takes to keep a forward pass from being served fresh zeroed pages
// by the kernel every time (below, and in host_memory.cpp).
#pragma once

#include <cstddef>

namespace ctcscope {

// Blocks at least this large are mapped by glibc afresh on every malloc and
// unmapped on free (its mmap threshold cannot be raised above 32 MiB).
inline constexpr std::size_t kLargeHostBlock = std::size_t{32} << 20;
// Freed large blocks kept for reuse: at most this many, each at most this large.
inline constexpr int kCachedLargeBlocks = 2;
inline constexpr std::size_t kLargestCachedBlock = std::size_t{256} << 20;

// At least `bytes` (rounded up to 64; 64 for 0), 64-byte aligned; nullptr
// when the system has no memory. A large block of the same rounded size
// freed before is handed out again, unzeroed, instead of being mapped anew.
void* host_allocate(std::size_t bytes);
// Frees what host_allocate(bytes) returned (the same `bytes`). A large block
// up to kLargestCachedBlock is kept for reuse, the oldest of more than
// kCachedLargeBlocks freed; the rest go back to the C heap.
void host_free(void* data, std::size_t bytes);

// Blocks kept for reuse now (tests).
int cached_large_host_blocks();

}  // namespace ctcscope
