// Softmax and cross-entropy on the GPU. softmax: a thread per row. The loss
// and the weight totals: a single thread, walking rows in the twin's order
// with double accumulators, so the loss matches the twin and is
// deterministic (N is a batch of logits over a few classes: no bandwidth to
// speak of). Backward: a thread per logit. Bytes per logit: ~8 forward, ~12 backward.
// One host wait per step: the forward reads back the loss, the label check
// and the device's error flags in one copy (the caller needs the loss on
// the host anyway); the backward waits for nothing, flagging a bad label.
#include <cmath>

#include "kernels/cuda/common.h"
#include "kernels/loss.h"
#include "tensor/cuda_memory.h"

namespace ctcscope::cuda {
namespace {

__device__ double row_log_sum_exp(const float* z, std::int64_t K) {
  double m = z[0];
  for (std::int64_t k = 1; k < K; ++k) m = fmax(m, static_cast<double>(z[k]));
  double s = 0.0;
  for (std::int64_t k = 0; k < K; ++k) s += exp(static_cast<double>(z[k]) - m);
  return m + log(s);
}

__device__ double weight_of(const float* w, std::int64_t k) {
  return w ? static_cast<double>(w[k]) : 1.0;
}

}  // namespace

__global__ void softmax_forward_kernel(const float* z, float* probs, std::int64_t N,
                                       std::int64_t K) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < N;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    const float* zi = z + i * K;
    const double lse = row_log_sum_exp(zi, K);
    for (std::int64_t k = 0; k < K; ++k) {
      probs[i * K + k] = static_cast<float>(exp(static_cast<double>(zi[k]) - lse));
    }
  }
}

// The twin's loop, by one thread. The loss goes to `loss` and to s->loss,
// beside s->bad_label_row, so one copy brings both back.
__global__ void cross_entropy_forward_kernel(const float* z, const std::int64_t* labels,
                                             const float* w, float* probs, float* loss,
                                             std::int64_t N, std::int64_t K, double eps,
                                             DeviceState* s) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  s->bad_label_row = -1;
  double W = 0.0;
  for (std::int64_t i = 0; i < N; ++i) {
    const std::int64_t y = labels[i];
    if (y < 0 || y >= K) {
      s->bad_label_row = i;
      return;
    }
    W += weight_of(w, y);
  }
  double nll = 0.0, smooth = 0.0;
  for (std::int64_t i = 0; i < N; ++i) {
    const float* zi = z + i * K;
    const double lse = row_log_sum_exp(zi, K);
    for (std::int64_t k = 0; k < K; ++k) {
      const double logp = static_cast<double>(zi[k]) - lse;
      probs[i * K + k] = static_cast<float>(exp(logp));
      if (eps != 0.0) smooth -= weight_of(w, k) * logp;
    }
    const std::int64_t yi = labels[i];
    nll -= weight_of(w, yi) * (static_cast<double>(zi[yi]) - lse);
  }
  loss[0] = static_cast<float>((1.0 - eps) * nll / W + (eps / K) * smooth / W);
  s->loss = loss[0];
}

// A bad label is flagged and W made NaN, so dz is NaN rather than a
// gradient read from outside the weights.
__global__ void cross_entropy_totals_kernel(const std::int64_t* labels, const float* w,
                                            std::int64_t N, std::int64_t K, DeviceState* s) {
  if (blockIdx.x != 0 || threadIdx.x != 0) return;
  double W = 0.0;
  for (std::int64_t i = 0; i < N; ++i) {
    const std::int64_t y = labels[i];
    if (y < 0 || y >= K) {
      atomicOr(&s->errors, kCrossEntropyLabelOutOfRange);
      W = NAN;
      break;
    }
    W += weight_of(w, y);
  }
  double w_sum = 0.0;
  for (std::int64_t k = 0; k < K; ++k) w_sum += weight_of(w, k);
  s->weight_total = W;
  s->weight_sum = w_sum;
}

// dz_ij = dloss * ((1-eps) w_{y_i} (p_ij - [j==y_i]) + (eps/K) (sum_k w_k p_ij - w_j)) / W
__global__ void cross_entropy_backward_kernel(const float* probs, const std::int64_t* labels,
                                              const float* w, float* dz, std::int64_t N,
                                              std::int64_t K, double eps, double dloss,
                                              const DeviceState* s) {
  const std::int64_t total = N * K;
  const double scale = dloss / s->weight_total;
  const double w_sum = s->weight_sum;
  for (std::int64_t e = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; e < total;
       e += std::int64_t{gridDim.x} * blockDim.x) {
    const std::int64_t i = e / K, j = e % K;
    const std::int64_t yi = labels[i];
    if (yi < 0 || yi >= K) {  // flagged by the totals kernel
      dz[e] = NAN;
      continue;
    }
    const double pij = probs[e];
    const double hard = (1.0 - eps) * weight_of(w, yi) * (pij - (j == yi ? 1.0 : 0.0));
    const double soft = (eps / K) * (w_sum * pij - weight_of(w, j));
    dz[e] = static_cast<float>(scale * (hard + soft));
  }
}

void softmax_forward(const Tensor& logits, Tensor& probs) {
  require_f32(logits, "softmax_forward", "logits");
  const std::int64_t K = logits.size(-1);
  const std::int64_t N = logits.numel() / K;
  if (N == 0) return;
  softmax_forward_kernel<<<blocks_for(N), kThreads, 0, device_context().stream()>>>(
      logits.data<float>(), probs.data<float>(), N, K);
  CTC_CUDA_CHECK(cudaGetLastError());
}

// The one host wait of a training step: loss, label check and error flags
// in one copy.
double cross_entropy_forward(const Tensor& logits, const Tensor& labels,
                             const Tensor& class_weights, const CrossEntropyParams& p,
                             Tensor& probs, Tensor& loss) {
  const char* op = "cross_entropy_forward";
  require_f32(logits, op, "logits");
  DeviceContext& ctx = device_context();
  const std::int64_t N = logits.size(0), K = logits.size(1);
  DeviceState* s = ctx.state();
  cross_entropy_forward_kernel<<<1, 1, 0, ctx.stream()>>>(
      logits.data<float>(), labels.data<std::int64_t>(),
      class_weights.defined() ? class_weights.data<float>() : nullptr, probs.data<float>(),
      loss.data<float>(), N, K, p.label_smoothing, s);
  CTC_CUDA_CHECK(cudaGetLastError());
  DeviceState back{};
  cuda_copy_bytes(&back, false, s, true, sizeof(back));
  if (back.errors != 0) {
    cuda_zero_bytes(&s->errors, sizeof(s->errors));
    throw_device_errors(back.errors, op);
  }
  if (back.bad_label_row >= 0) {
    // Read the offending label for the twin's message.
    long long value = 0;
    cuda_copy_bytes(&value, false, labels.data<std::int64_t>() + back.bad_label_row, true,
                    sizeof(value));
    CTC_FAIL(op, ": labels[", back.bad_label_row, "] = ", value, " is outside [0,", K, ")");
  }
  return back.loss;
}

void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                            const CrossEntropyParams& p, double dloss, Tensor& dlogits) {
  const char* op = "cross_entropy_backward";
  require_f32(probs, op, "probs");
  DeviceContext& ctx = device_context();
  const std::int64_t N = probs.size(0), K = probs.size(1);
  DeviceState* s = ctx.state();
  const float* w = class_weights.defined() ? class_weights.data<float>() : nullptr;
  cross_entropy_totals_kernel<<<1, 1, 0, ctx.stream()>>>(labels.data<std::int64_t>(), w, N, K, s);
  CTC_CUDA_CHECK(cudaGetLastError());
  cross_entropy_backward_kernel<<<blocks_for(N * K), kThreads, 0, ctx.stream()>>>(
      probs.data<float>(), labels.data<std::int64_t>(), w, dlogits.data<float>(), N, K,
      p.label_smoothing, dloss, s);
  CTC_CUDA_CHECK(cudaGetLastError());
}

}  // namespace ctcscope::cuda
