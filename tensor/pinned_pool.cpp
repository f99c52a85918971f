// The pool of freed pinned buffers behind Tensor::empty_pinned (tensor/pinned.h).
#include <mutex>
#include <utility>
#include <vector>

#include "tensor/pinned.h"

namespace ctcscope {
namespace {

struct PinnedPool {
  std::mutex mutex;
  std::vector<PinnedBuffer> free;
  std::size_t free_bytes = 0;
};

PinnedPool& pool() {
  static PinnedPool* p = new PinnedPool();  // never destroyed: tensors die during exit too
  return *p;
}

}  // namespace

PinnedBuffer take_pinned_buffer(std::size_t bytes) {
  PinnedPool& p = pool();
  {
    std::lock_guard<std::mutex> lock(p.mutex);
    for (std::size_t i = 0; i < p.free.size(); ++i) {
      const std::size_t have = p.free[i].bytes();
      if (have >= bytes && have <= 2 * bytes + 64) {
        PinnedBuffer b = std::move(p.free[i]);
        p.free.erase(p.free.begin() + static_cast<std::ptrdiff_t>(i));
        p.free_bytes -= have;
        return b;
      }
    }
  }
  return PinnedBuffer(bytes);
}

void recycle_pinned_buffer(PinnedBuffer buffer) noexcept {
  PinnedPool& p = pool();
  std::lock_guard<std::mutex> lock(p.mutex);
  if (p.free_bytes + buffer.bytes() > kPinnedPoolBytes) return;  // freed here
  try {
    p.free_bytes += buffer.bytes();
    p.free.push_back(std::move(buffer));
  } catch (...) {
    p.free_bytes -= buffer.bytes();  // no room to keep it: freed here
  }
}

}  // namespace ctcscope
