// Host memory for CPU tensors: alignment, and the reuse of freed large blocks.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "tensor/host_memory.h"
#include "tensor/tensor.h"

namespace ctcscope {
namespace {

bool aligned64(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }

TEST(HostMemory, SmallBlocksAlignedAndNotCached) {
  for (std::size_t bytes : {std::size_t{0}, std::size_t{1}, std::size_t{100}, std::size_t{1} << 20}) {
    void* p = host_allocate(bytes);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(aligned64(p)) << bytes;
    std::memset(p, 1, bytes);
    const int before = cached_large_host_blocks();
    host_free(p, bytes);
    EXPECT_EQ(cached_large_host_blocks(), before) << bytes;
  }
}

// A large block freed is the one the next request of its size gets; one of
// another size is not handed out for it.
TEST(HostMemory, FreedLargeBlockServesTheNextRequestOfItsSize) {
  const std::size_t bytes = kLargeHostBlock + 1000;
  void* first = host_allocate(bytes);
  ASSERT_NE(first, nullptr);
  EXPECT_TRUE(aligned64(first));
  host_free(first, bytes);
  void* other = host_allocate(bytes + 4096);
  EXPECT_NE(other, first);
  void* again = host_allocate(bytes);
  EXPECT_EQ(again, first);
  host_free(other, bytes + 4096);
  host_free(again, bytes);
}

// No more than kCachedLargeBlocks are held: the oldest freed goes back to the system.
TEST(HostMemory, CacheHoldsAFewBlocks) {
  std::vector<void*> blocks;
  for (int i = 0; i < kCachedLargeBlocks + 2; ++i) blocks.push_back(host_allocate(kLargeHostBlock + 64 * i));
  for (int i = 0; i < kCachedLargeBlocks + 2; ++i) host_free(blocks[i], kLargeHostBlock + 64 * i);
  EXPECT_EQ(cached_large_host_blocks(), kCachedLargeBlocks);
  // The last freed are the ones kept.
  void* kept = host_allocate(kLargeHostBlock + 64 * (kCachedLargeBlocks + 1));
  EXPECT_EQ(kept, blocks.back());
  host_free(kept, kLargeHostBlock + 64 * (kCachedLargeBlocks + 1));
}

TEST(HostMemory, TooLargeToCacheGoesBack) {
  const int before = cached_large_host_blocks();
  const std::size_t bytes = kLargestCachedBlock + 64;
  void* p = host_allocate(bytes);
  ASSERT_NE(p, nullptr);
  host_free(p, bytes);
  EXPECT_EQ(cached_large_host_blocks(), before);
}

// A tensor's storage is such a block: the next forward's tensor of the same size reuses it.
TEST(HostMemory, TensorsReuseLargeBlocks) {
  const std::int64_t floats = static_cast<std::int64_t>(kLargeHostBlock / 4) + 16;
  const void* first = nullptr;
  {
    Tensor t = Tensor::empty({floats});
    first = t.raw_data();
  }
  Tensor again = Tensor::empty({floats});
  EXPECT_EQ(again.raw_data(), first);
}

}  // namespace
}  // namespace ctcscope
