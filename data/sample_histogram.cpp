// Binning samples by their 16-bit count; percentiles from cumulative counts.
#include "data/sample_histogram.h"

#include <algorithm>
#include <cmath>

namespace ctcscope {

void SampleHistogram::add(const Image& image) {
  for (float v : image.pixels) {
    const double count = std::nearbyint(static_cast<double>(std::clamp(v, 0.0f, 1.0f)) * (kBins - 1));
    ++bins_[static_cast<std::size_t>(count)];
  }
  count_ += image.pixels.size();
}

double SampleHistogram::order_statistic(std::uint64_t k) const {
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < kBins; ++b) {
    seen += bins_[b];
    if (seen > k) return static_cast<double>(b) / (kBins - 1);
  }
  return 1.0;
}

double SampleHistogram::percentile(double percent) const {
  if (count_ == 0) return 0.0;
  const double rank = std::clamp(percent, 0.0, 100.0) / 100.0 * static_cast<double>(count_ - 1);
  const auto below = static_cast<std::uint64_t>(std::floor(rank));
  const double lo = order_statistic(below);
  const double hi = below + 1 < count_ ? order_statistic(below + 1) : lo;
  return lo + (rank - static_cast<double>(below)) * (hi - lo);
}

double SampleHistogram::share_at_zero() const {
  return count_ == 0 ? 0.0 : static_cast<double>(bins_.front()) / static_cast<double>(count_);
}

double SampleHistogram::share_at_full_scale() const {
  return count_ == 0 ? 0.0 : static_cast<double>(bins_.back()) / static_cast<double>(count_);
}

}  // namespace ctcscope
