// Dropout and stochastic depth (kernels/dropout.h). The reference re-derives
// the mask from the Philox generator the way the header states it (element
// or sample i kept when uniform(i) < 1 - p), not from the twin's mask, so a
// twin that drew a different mask fails.
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {

Tensor dropout_mask(const Shape& shape, double p, const Seed& seed) {
  const std::int64_t n = shape_numel(shape);
  const Philox gen(seed);
  const double keep = 1.0 - p;
  std::vector<double> mask(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    mask[i] = keep > 0.0 && gen.uniform(static_cast<std::uint64_t>(i)) < keep ? 1.0 / keep : 0.0;
  }
  return Tensor::from_vector(mask, shape);
}

Tensor dropout_apply(const Tensor& x, const Tensor& mask) {
  const std::vector<double> xv = x.to_double_vector(), mv = mask.to_double_vector();
  std::vector<double> y(xv.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = xv[i] * mv[i];
  return Tensor::from_vector(y, x.shape());
}

Tensor stochastic_depth_apply(const Tensor& x, const Tensor& mask) {
  const std::int64_t N = x.size(0), row = x.numel() / N;
  const std::vector<double> xv = x.to_double_vector(), mv = mask.to_double_vector();
  std::vector<double> y(xv.size());
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t k = 0; k < row; ++k) y[n * row + k] = xv[n * row + k] * mv[n];
  return Tensor::from_vector(y, x.shape());
}

}  // namespace ctcscope::reference
