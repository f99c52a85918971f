// Channel concatenation (kernels/concat.h) one element at a time: piece i
// fills channels [offset_i, offset_i + C_i) of y.
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {

Tensor concat_channels(const std::vector<Tensor>& inputs) {
  const std::int64_t N = inputs[0].size(0), HW = inputs[0].size(2) * inputs[0].size(3);
  std::int64_t C = 0;
  for (const Tensor& t : inputs) C += t.size(1);
  std::vector<double> y(static_cast<std::size_t>(N * C * HW));
  std::int64_t offset = 0;
  for (const Tensor& t : inputs) {
    const std::int64_t Ci = t.size(1);
    const std::vector<double> tv = t.to_double_vector();
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t c = 0; c < Ci; ++c)
        for (std::int64_t k = 0; k < HW; ++k) y[(n * C + offset + c) * HW + k] = tv[(n * Ci + c) * HW + k];
    offset += Ci;
  }
  return Tensor::from_vector(y, {N, C, inputs[0].size(2), inputs[0].size(3)});
}

std::vector<Tensor> split_channels(const Tensor& dy, const std::vector<std::int64_t>& channels) {
  const std::int64_t N = dy.size(0), C = dy.size(1), HW = dy.size(2) * dy.size(3);
  const std::vector<double> dyv = dy.to_double_vector();
  std::vector<Tensor> dxs;
  std::int64_t offset = 0;
  for (const std::int64_t Ci : channels) {
    std::vector<double> dx(static_cast<std::size_t>(N * Ci * HW));
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t c = 0; c < Ci; ++c)
        for (std::int64_t k = 0; k < HW; ++k) dx[(n * Ci + c) * HW + k] = dyv[(n * C + offset + c) * HW + k];
    dxs.push_back(Tensor::from_vector(dx, {N, Ci, dy.size(2), dy.size(3)}));
    offset += Ci;
  }
  return dxs;
}

}  // namespace ctcscope::reference
