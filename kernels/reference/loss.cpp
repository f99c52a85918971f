// Softmax cross-entropy as the formulas in kernels/loss.h, row by row; the
// softmax subtracts the row maximum, as any stable softmax must.
#include "kernels/reference/reference.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace ctcscope::reference {

Tensor softmax_forward(const Tensor& logits) {
  const std::int64_t N = logits.size(0), K = logits.size(1);
  const std::vector<double> z = logits.to_double_vector();
  std::vector<double> p(z.size());
  for (std::int64_t i = 0; i < N; ++i) {
    double zmax = z[i * K];
    for (std::int64_t k = 1; k < K; ++k) zmax = std::max(zmax, z[i * K + k]);
    double sum = 0.0;
    for (std::int64_t k = 0; k < K; ++k) sum += std::exp(z[i * K + k] - zmax);
    for (std::int64_t k = 0; k < K; ++k) p[i * K + k] = std::exp(z[i * K + k] - zmax) / sum;
  }
  return Tensor::from_vector(p, logits.shape());
}

namespace {

std::vector<double> weights_or_ones(const Tensor& class_weights, std::int64_t K) {
  return class_weights.defined() ? class_weights.to_double_vector() : std::vector<double>(K, 1.0);
}

}  // namespace

CrossEntropyResult cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                                         const CrossEntropyParams& p) {
  const std::int64_t N = logits.size(0), K = logits.size(1);
  const Tensor probs = softmax_forward(logits);
  const std::vector<double> pv = probs.to_double_vector(), y = labels.to_double_vector();
  const std::vector<double> w = weights_or_ones(class_weights, K);
  const double eps = p.label_smoothing;
  double W = 0.0, loss = 0.0;
  for (std::int64_t i = 0; i < N; ++i) W += w[static_cast<std::int64_t>(y[i])];
  for (std::int64_t i = 0; i < N; ++i) {
    const auto yi = static_cast<std::int64_t>(y[i]);
    loss += (1 - eps) / W * w[yi] * -std::log(pv[i * K + yi]);
    for (std::int64_t k = 0; k < K; ++k) loss += (eps / K) / W * w[k] * -std::log(pv[i * K + k]);
  }
  return {probs, Tensor::from_vector(std::vector<double>{loss}, {1})};
}

Tensor cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                              const CrossEntropyParams& p, double dloss) {
  const std::int64_t N = probs.size(0), K = probs.size(1);
  const std::vector<double> pv = probs.to_double_vector(), y = labels.to_double_vector();
  const std::vector<double> w = weights_or_ones(class_weights, K);
  const double eps = p.label_smoothing;
  double W = 0.0, sum_w = 0.0;
  for (std::int64_t i = 0; i < N; ++i) W += w[static_cast<std::int64_t>(y[i])];
  for (std::int64_t k = 0; k < K; ++k) sum_w += w[k];
  std::vector<double> dz(pv.size());
  for (std::int64_t i = 0; i < N; ++i) {
    const auto yi = static_cast<std::int64_t>(y[i]);
    for (std::int64_t j = 0; j < K; ++j) {
      const double pij = pv[i * K + j];
      const double hard = (1 - eps) * w[yi] * (pij - (j == yi ? 1.0 : 0.0));
      const double smooth = (eps / K) * (sum_w * pij - w[j]);
      dz[i * K + j] = dloss * (hard + smooth) / W;
    }
  }
  return Tensor::from_vector(dz, probs.shape());
}

}  // namespace ctcscope::reference
