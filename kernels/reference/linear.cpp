// Linear as its definition, one dot product per output element.
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {

Tensor linear_forward(const Tensor& x, const Tensor& w, const Tensor& b) {
  const std::int64_t N = x.size(0), I = x.size(1), O = w.size(0);
  const std::vector<double> xv = x.to_double_vector(), wv = w.to_double_vector();
  const std::vector<double> bv = b.defined() ? b.to_double_vector() : std::vector<double>(O, 0.0);
  std::vector<double> y(static_cast<std::size_t>(N * O));
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) {
      double sum = bv[o];
      for (std::int64_t i = 0; i < I; ++i) sum += xv[n * I + i] * wv[o * I + i];
      y[n * O + o] = sum;
    }
  return Tensor::from_vector(y, {N, O});
}

Tensor linear_backward_data(const Tensor& dy, const Tensor& w) {
  const std::int64_t N = dy.size(0), O = w.size(0), I = w.size(1);
  const std::vector<double> dyv = dy.to_double_vector(), wv = w.to_double_vector();
  std::vector<double> dx(static_cast<std::size_t>(N * I), 0.0);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t i = 0; i < I; ++i)
      for (std::int64_t o = 0; o < O; ++o) dx[n * I + i] += dyv[n * O + o] * wv[o * I + i];
  return Tensor::from_vector(dx, {N, I});
}

Tensor linear_backward_weight(const Tensor& dy, const Tensor& x) {
  const std::int64_t N = dy.size(0), O = dy.size(1), I = x.size(1);
  const std::vector<double> dyv = dy.to_double_vector(), xv = x.to_double_vector();
  std::vector<double> dw(static_cast<std::size_t>(O * I), 0.0);
  for (std::int64_t o = 0; o < O; ++o)
    for (std::int64_t i = 0; i < I; ++i)
      for (std::int64_t n = 0; n < N; ++n) dw[o * I + i] += dyv[n * O + o] * xv[n * I + i];
  return Tensor::from_vector(dw, {O, I});
}

Tensor linear_backward_bias(const Tensor& dy) {
  const std::int64_t N = dy.size(0), O = dy.size(1);
  const std::vector<double> dyv = dy.to_double_vector();
  std::vector<double> db(static_cast<std::size_t>(O), 0.0);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) db[o] += dyv[n * O + o];
  return Tensor::from_vector(db, {O});
}

}  // namespace ctcscope::reference
