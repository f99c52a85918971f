// CPU twin of channel concatenation: for each sample, each piece is one
// contiguous run of C_i*H*W elements in y, so both directions are memcpy.
#include <cstring>

#include "kernels/concat.h"
#include "kernels/cpu/parallel.h"

namespace ctcscope::cpu {
namespace {

// copy_into_whole: piece -> whole (concat); otherwise whole -> piece (split).
// The images go to the threads: DenseNet concatenates every layer's growing
// input again, and on one thread the other core waited for those copies.
void copy_pieces(const std::vector<Tensor>& pieces, const Tensor& whole, bool copy_into_whole) {
  const std::size_t esize = dtype_size(whole.dtype());
  const std::int64_t n = whole.size(0), plane = whole.size(2) * whole.size(3);
  const std::int64_t whole_stride = whole.size(1) * plane;
  char* base = static_cast<char*>(whole.raw_data());
#pragma omp parallel for schedule(dynamic, 1) if (whole.numel() >= kMinParallelElements && n > 1)
  for (std::int64_t i = 0; i < n; ++i) {
    std::int64_t offset = 0;
    for (const Tensor& p : pieces) {
      const std::int64_t run = p.size(1) * plane;
      char* w = base + static_cast<std::size_t>(i * whole_stride + offset) * esize;
      char* q = static_cast<char*>(p.raw_data()) + static_cast<std::size_t>(i * run) * esize;
      const std::size_t bytes = static_cast<std::size_t>(run) * esize;
      if (copy_into_whole) {
        std::memcpy(w, q, bytes);
      } else {
        std::memcpy(q, w, bytes);
      }
      offset += run;
    }
  }
}

}  // namespace

void concat_channels(const std::vector<Tensor>& inputs, Tensor& y) { copy_pieces(inputs, y, true); }

void split_channels(const Tensor& dy, std::vector<Tensor>& dxs) { copy_pieces(dxs, dy, false); }

}  // namespace ctcscope::cpu
