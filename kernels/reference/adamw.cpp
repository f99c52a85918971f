// One AdamW step as the formula in kernels/adamw.h, element by element, in
// double: the twins' f32 rounding is what the tolerance covers.
#include "kernels/reference/reference.h"

#include <cmath>
#include <vector>

namespace ctcscope::reference {

AdamWState adamw_step(const Tensor& grad, const AdamWStep& s, const Tensor& param, const Tensor& exp_avg,
                      const Tensor& exp_avg_sq) {
  const std::vector<double> g = grad.to_double_vector();
  std::vector<double> w = param.to_double_vector(), m = exp_avg.to_double_vector(), v = exp_avg_sq.to_double_vector();
  const double t = static_cast<double>(s.step);
  const double bias1 = 1.0 - std::pow(s.beta1, t), bias2 = 1.0 - std::pow(s.beta2, t);
  for (std::size_t i = 0; i < w.size(); ++i) {
    w[i] *= 1.0 - s.lr * s.weight_decay;
    m[i] = m[i] + (1.0 - s.beta1) * (g[i] - m[i]);
    v[i] = s.beta2 * v[i] + (1.0 - s.beta2) * g[i] * g[i];
    w[i] -= s.lr / bias1 * m[i] / (std::sqrt(v[i]) / std::sqrt(bias2) + s.eps);
  }
  return {Tensor::from_vector(w, param.shape()), Tensor::from_vector(m, param.shape()),
          Tensor::from_vector(v, param.shape())};
}

}  // namespace ctcscope::reference
