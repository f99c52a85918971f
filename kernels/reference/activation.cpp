// The activations as their formulas (kernels/activation.h), one element at a time.
#include "kernels/reference/reference.h"

#include <cmath>
#include <vector>

namespace ctcscope::reference {
namespace {

double sigmoid(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace

Tensor relu_forward(const Tensor& x) {
  std::vector<double> y = x.to_double_vector();
  for (double& v : y) v = v > 0.0 ? v : 0.0;
  return Tensor::from_vector(y, x.shape());
}

Tensor relu_backward(const Tensor& dy, const Tensor& y) {
  const std::vector<double> dyv = dy.to_double_vector(), yv = y.to_double_vector();
  std::vector<double> dx(dyv.size());
  for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = yv[i] > 0.0 ? dyv[i] : 0.0;
  return Tensor::from_vector(dx, dy.shape());
}

Tensor silu_forward(const Tensor& x) {
  std::vector<double> y = x.to_double_vector();
  for (double& v : y) v = v * sigmoid(v);
  return Tensor::from_vector(y, x.shape());
}

Tensor silu_backward(const Tensor& dy, const Tensor& x) {
  const std::vector<double> dyv = dy.to_double_vector(), xv = x.to_double_vector();
  std::vector<double> dx(dyv.size());
  for (std::size_t i = 0; i < dx.size(); ++i) {
    const double s = sigmoid(xv[i]);
    dx[i] = dyv[i] * s * (1.0 + xv[i] * (1.0 - s));
  }
  return Tensor::from_vector(dx, dy.shape());
}

Tensor sigmoid_forward(const Tensor& x) {
  std::vector<double> y = x.to_double_vector();
  for (double& v : y) v = sigmoid(v);
  return Tensor::from_vector(y, x.shape());
}

Tensor sigmoid_backward(const Tensor& dy, const Tensor& y) {
  const std::vector<double> dyv = dy.to_double_vector(), yv = y.to_double_vector();
  std::vector<double> dx(dyv.size());
  for (std::size_t i = 0; i < dx.size(); ++i) dx[i] = dyv[i] * yv[i] * (1.0 - yv[i]);
  return Tensor::from_vector(dx, dy.shape());
}

}  // namespace ctcscope::reference
