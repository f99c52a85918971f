// An exact histogram of image samples at 16-bit resolution: 65536 bins, one
// per count of a 16-bit file (an 8-bit file's counts land on every 257th).
// Percentiles over millions of pixels without keeping them: the dataset
// intensity levels and `ctcscope inspect` both pool every image of a group.
#pragma once

#include <cstdint>
#include <vector>

#include "data/image.h"

namespace ctcscope {

class SampleHistogram {
 public:
  static constexpr std::size_t kBins = 65536;

  SampleHistogram() : bins_(kBins, 0) {}
  void add(const Image& image);  // every sample, clamped to [0, 1]

  std::uint64_t count() const { return count_; }
  // numpy.percentile's linear interpolation between order statistics, in
  // [0, 1] sample units; 0 when empty.
  double percentile(double percent) const;
  // Samples at exactly 0 and at full scale (1.0), as shares of count().
  double share_at_zero() const;
  double share_at_full_scale() const;

 private:
  double order_statistic(std::uint64_t k) const;  // the k-th smallest (0-based)
  std::vector<std::uint64_t> bins_;
  std::uint64_t count_ = 0;
};

}  // namespace ctcscope
