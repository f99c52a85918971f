// CPU twin of softmax and softmax cross-entropy (kernels/loss.h): plain loops
// over rows, templated on float/double. Sums (log-sum-exp, the loss, the
// weight total W) accumulate in double in a fixed order, so results do not
// depend on the thread count.
#include <cmath>
#include <cstdint>

#include "kernels/loss.h"

namespace ctcscope::cpu {

namespace {

// log p_ij = z_ij - lse_i with lse_i = m_i + log sum_k exp(z_ik - m_i),
// m_i = max_k z_ik: every exponent is <= 0, so nothing overflows.
template <class T>
double row_log_sum_exp(const T* z, std::int64_t K) {
  double m = z[0];
  for (std::int64_t k = 1; k < K; ++k) m = std::fmax(m, static_cast<double>(z[k]));
  double s = 0.0;
  for (std::int64_t k = 0; k < K; ++k) s += std::exp(static_cast<double>(z[k]) - m);
  return m + std::log(s);
}

template <class T>
void softmax_rows(const T* z, std::int64_t N, std::int64_t K, T* probs) {
#pragma omp parallel for schedule(static) if (N * K > (1 << 16))
  for (std::int64_t i = 0; i < N; ++i) {
    const T* zi = z + i * K;
    double lse = row_log_sum_exp(zi, K);
    for (std::int64_t k = 0; k < K; ++k) probs[i * K + k] = static_cast<T>(std::exp(zi[k] - lse));
  }
}

// Reads label i and checks its range; the error names the row.
std::int64_t label_at(const std::int64_t* labels, std::int64_t i, std::int64_t K, const char* op) {
  std::int64_t y = labels[i];
  CTC_CHECK(y >= 0 && y < K, op, ": labels[", i, "] = ", y, " is outside [0,", K, ")");
  return y;
}

template <class T>
double weight_of(const T* w, std::int64_t k) {
  return w ? static_cast<double>(w[k]) : 1.0;
}

// W = sum_i w_{y_i}: the normaliser of the weighted mean (N without weights).
template <class T>
double weight_total(const std::int64_t* labels, const T* w, std::int64_t N, std::int64_t K,
                    const char* op) {
  double total = 0.0;
  for (std::int64_t i = 0; i < N; ++i) total += weight_of(w, label_at(labels, i, K, op));
  return total;
}

template <class T>
void cross_entropy_forward_impl(const Tensor& logits, const Tensor& labels,
                                const Tensor& class_weights, const CrossEntropyParams& p,
                                Tensor& probs, Tensor& loss) {
  const char* op = "cross_entropy_forward";
  const std::int64_t N = logits.size(0), K = logits.size(1);
  const T* z = logits.data<T>();
  const std::int64_t* y = labels.data<std::int64_t>();
  const T* w = class_weights.defined() ? class_weights.data<T>() : nullptr;
  T* pr = probs.data<T>();
  const double eps = p.label_smoothing;

  const double W = weight_total(y, w, N, K, op);
  double nll = 0.0;     // sum_i w_{y_i} (-log p_{i,y_i})
  double smooth = 0.0;  // sum_i sum_k w_k (-log p_{i,k})
  for (std::int64_t i = 0; i < N; ++i) {
    const T* zi = z + i * K;
    const double lse = row_log_sum_exp(zi, K);
    for (std::int64_t k = 0; k < K; ++k) {
      const double logp = static_cast<double>(zi[k]) - lse;
      pr[i * K + k] = static_cast<T>(std::exp(logp));
      if (eps != 0.0) smooth -= weight_of(w, k) * logp;
    }
    const std::int64_t yi = y[i];
    nll -= weight_of(w, yi) * (static_cast<double>(zi[yi]) - lse);
  }
  loss.data<T>()[0] = static_cast<T>((1.0 - eps) * nll / W + (eps / K) * smooth / W);
}

// dz_ij = dloss * ((1-eps) w_{y_i} (p_ij - [j==y_i]) + (eps/K) (sum_k w_k p_ij - w_j)) / W
template <class T>
void cross_entropy_backward_impl(const Tensor& probs, const Tensor& labels,
                                 const Tensor& class_weights, const CrossEntropyParams& p,
                                 double dloss, Tensor& dlogits) {
  const char* op = "cross_entropy_backward";
  const std::int64_t N = probs.size(0), K = probs.size(1);
  const T* pr = probs.data<T>();
  const std::int64_t* y = labels.data<std::int64_t>();
  const T* w = class_weights.defined() ? class_weights.data<T>() : nullptr;
  T* dz = dlogits.data<T>();
  const double eps = p.label_smoothing;

  const double W = weight_total(y, w, N, K, op);
  double w_sum = 0.0;  // sum_k w_k
  for (std::int64_t k = 0; k < K; ++k) w_sum += weight_of(w, k);
  const double scale = dloss / W;
  for (std::int64_t i = 0; i < N; ++i) {
    const std::int64_t yi = y[i];
    const double wy = weight_of(w, yi);
    for (std::int64_t j = 0; j < K; ++j) {
      const double pij = pr[i * K + j];
      const double hard = (1.0 - eps) * wy * (pij - (j == yi ? 1.0 : 0.0));
      const double soft = (eps / K) * (w_sum * pij - weight_of(w, j));
      dz[i * K + j] = static_cast<T>(scale * (hard + soft));
    }
  }
}

}  // namespace

void softmax_forward(const Tensor& logits, Tensor& probs) {
  const std::int64_t K = logits.size(-1);
  const std::int64_t N = logits.numel() / K;
  if (logits.dtype() == DType::f64) {
    softmax_rows(logits.data<double>(), N, K, probs.data<double>());
  } else {
    softmax_rows(logits.data<float>(), N, K, probs.data<float>());
  }
}

void cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                           const CrossEntropyParams& p, Tensor& probs, Tensor& loss) {
  if (logits.dtype() == DType::f64) {
    cross_entropy_forward_impl<double>(logits, labels, class_weights, p, probs, loss);
  } else {
    cross_entropy_forward_impl<float>(logits, labels, class_weights, p, probs, loss);
  }
}

void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                            const CrossEntropyParams& p, double dloss, Tensor& dlogits) {
  if (probs.dtype() == DType::f64) {
    cross_entropy_backward_impl<double>(probs, labels, class_weights, p, dloss, dlogits);
  } else {
    cross_entropy_backward_impl<float>(probs, labels, class_weights, p, dloss, dlogits);
  }
}

}  // namespace ctcscope::cpu
