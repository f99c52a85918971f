// The per-channel bias (kernels/bias.h) as its formulas over [N,C,H,W].
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {

Tensor bias_add_channels(const Tensor& b, const Tensor& y) {
  const std::int64_t N = y.size(0), C = y.size(1), HW = y.size(2) * y.size(3);
  const std::vector<double> bv = b.to_double_vector();
  std::vector<double> out = y.to_double_vector();
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t k = 0; k < HW; ++k) out[(n * C + c) * HW + k] += bv[c];
  return Tensor::from_vector(out, y.shape());
}

Tensor bias_backward_channels(const Tensor& dy, const Tensor& db) {
  const std::int64_t N = dy.size(0), C = dy.size(1), HW = dy.size(2) * dy.size(3);
  const std::vector<double> dyv = dy.to_double_vector();
  std::vector<double> out = db.to_double_vector();
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t k = 0; k < HW; ++k) out[c] += dyv[(n * C + c) * HW + k];
  return Tensor::from_vector(out, db.shape());
}

}  // namespace ctcscope::reference
