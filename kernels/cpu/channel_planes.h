// Where channel c of image n lies in the channel concatenation of `pieces`
// ([N, C_i, H, W] each, one dtype), which is never built: DenseNet's layers
// read every earlier layer's features where they lie instead of copying
// them all into a new tensor for each layer.
#pragma once

#include <cstdint>
#include <vector>

#include "tensor/tensor.h"

namespace ctcscope::cpu {

template <class T>
class ChannelPlanes {
 public:
  explicit ChannelPlanes(const std::vector<Tensor>& pieces) {
    for (const Tensor& piece : pieces) {
      const std::int64_t HW = piece.size(2) * piece.size(3);
      for (std::int64_t c = 0; c < piece.size(1); ++c) {
        first_.push_back(piece.data<T>() + c * HW);
        image_stride_.push_back(piece.size(1) * HW);
      }
    }
  }

  std::int64_t channels() const { return static_cast<std::int64_t>(first_.size()); }
  // The H*W values of channel c of image n.
  const T* plane(std::int64_t n, std::int64_t c) const { return first_[c] + n * image_stride_[c]; }

 private:
  std::vector<const T*> first_;             // channel c's plane in image 0
  std::vector<std::int64_t> image_stride_;  // and the step to the next image
};

}  // namespace ctcscope::cpu
