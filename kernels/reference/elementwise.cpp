// Elementwise addition (kernels/elementwise.h), one element at a time.
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {

Tensor add(const Tensor& a, const Tensor& b) {
  const std::vector<double> av = a.to_double_vector(), bv = b.to_double_vector();
  std::vector<double> y(av.size());
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = av[i] + bv[i];
  return Tensor::from_vector(y, a.shape());
}

}  // namespace ctcscope::reference
