// Batch norm as its formulas (kernels/batchnorm.h), per channel over N,H,W,
// with the mean and variance in two plain passes.
#include "kernels/reference/reference.h"

#include <cmath>
#include <vector>

namespace ctcscope::reference {
namespace {

// Calls f(channel, flat index) for every element of x [N,C,H,W].
template <class F>
void for_each_element(const Shape& xs, F f) {
  const std::int64_t N = xs[0], C = xs[1], HW = xs[2] * xs[3];
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t c = 0; c < C; ++c)
      for (std::int64_t k = 0; k < HW; ++k) f(c, (n * C + c) * HW + k);
}

}  // namespace

BatchNormTrainResult batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                                               const Tensor& running_mean, const Tensor& running_var,
                                               const BatchNormParams& p) {
  const Shape& xs = x.shape();
  const std::int64_t C = xs[1];
  const double M = static_cast<double>(xs[0] * xs[2] * xs[3]);
  const std::vector<double> xv = x.to_double_vector(), g = gamma.to_double_vector(), b = beta.to_double_vector();
  std::vector<double> mean(C, 0.0), var(C, 0.0), invstd(C), y(xv.size());
  for_each_element(xs, [&](std::int64_t c, std::int64_t i) { mean[c] += xv[i] / M; });
  for_each_element(xs, [&](std::int64_t c, std::int64_t i) { var[c] += (xv[i] - mean[c]) * (xv[i] - mean[c]) / M; });
  for (std::int64_t c = 0; c < C; ++c) invstd[c] = 1.0 / std::sqrt(var[c] + p.eps);
  for_each_element(xs, [&](std::int64_t c, std::int64_t i) { y[i] = (xv[i] - mean[c]) * invstd[c] * g[c] + b[c]; });
  std::vector<double> rm = running_mean.to_double_vector(), rv = running_var.to_double_vector();
  for (std::int64_t c = 0; c < C; ++c) {
    rm[c] = (1 - p.momentum) * rm[c] + p.momentum * mean[c];
    rv[c] = (1 - p.momentum) * rv[c] + p.momentum * var[c] * M / (M - 1);  // unbiased
  }
  return {Tensor::from_vector(y, xs), Tensor::from_vector(mean, {C}), Tensor::from_vector(invstd, {C}),
          Tensor::from_vector(rm, {C}), Tensor::from_vector(rv, {C})};
}

Tensor batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta, const Tensor& running_mean,
                                 const Tensor& running_var, const BatchNormParams& p) {
  const std::vector<double> xv = x.to_double_vector(), g = gamma.to_double_vector(), b = beta.to_double_vector();
  const std::vector<double> rm = running_mean.to_double_vector(), rv = running_var.to_double_vector();
  std::vector<double> y(xv.size());
  for_each_element(x.shape(), [&](std::int64_t c, std::int64_t i) {
    y[i] = (xv[i] - rm[c]) / std::sqrt(rv[c] + p.eps) * g[c] + b[c];
  });
  return Tensor::from_vector(y, x.shape());
}

BatchNormGrads batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& saved_mean,
                                    const Tensor& saved_invstd) {
  const Shape& xs = x.shape();
  const std::int64_t C = xs[1];
  const double M = static_cast<double>(xs[0] * xs[2] * xs[3]);
  const std::vector<double> dyv = dy.to_double_vector(), xv = x.to_double_vector(), g = gamma.to_double_vector();
  const std::vector<double> mean = saved_mean.to_double_vector(), invstd = saved_invstd.to_double_vector();
  auto xhat = [&](std::int64_t c, std::int64_t i) { return (xv[i] - mean[c]) * invstd[c]; };
  std::vector<double> dbeta(C, 0.0), dgamma(C, 0.0), dx(xv.size());
  for_each_element(xs, [&](std::int64_t c, std::int64_t i) {
    dbeta[c] += dyv[i];
    dgamma[c] += dyv[i] * xhat(c, i);
  });
  for_each_element(xs, [&](std::int64_t c, std::int64_t i) {
    dx[i] = g[c] * invstd[c] / M * (M * dyv[i] - dbeta[c] - xhat(c, i) * dgamma[c]);
  });
  return {Tensor::from_vector(dx, xs), Tensor::from_vector(dgamma, {C}), Tensor::from_vector(dbeta, {C})};
}

}  // namespace ctcscope::reference
