// The channel-wise multiply (kernels/channel_scale.h) as its formulas over [N,C,H,W].
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {

Tensor channel_scale_forward(const Tensor& x, const Tensor& s) {
  const std::int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  const std::vector<double> xv = x.to_double_vector(), sv = s.to_double_vector();
  std::vector<double> y(xv.size());
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t k = 0; k < HW; ++k) y[(n * C + c) * HW + k] = xv[(n * C + c) * HW + k] * sv[n * C + c];
  return Tensor::from_vector(y, x.shape());
}

ChannelScaleGrads channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s) {
  const std::int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  const std::vector<double> dyv = dy.to_double_vector(), xv = x.to_double_vector(), sv = s.to_double_vector();
  std::vector<double> dx(xv.size()), ds(sv.size(), 0.0);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t k = 0; k < HW; ++k) {
        const std::int64_t i = (n * C + c) * HW + k;
        dx[i] = dyv[i] * sv[n * C + c];
        ds[n * C + c] += dyv[i] * xv[i];
      }
  return {Tensor::from_vector(dx, x.shape()), Tensor::from_vector(ds, s.shape())};
}

}  // namespace ctcscope::reference
