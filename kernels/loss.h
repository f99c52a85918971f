// Softmax and softmax cross-entropy over class logits, as
// torch.nn.functional.cross_entropy with reduction="mean".
// logits, probs, dlogits: [N,K]   labels: i64 [N] in [0,K)   class_weights: [K] or undefined
//
// With p = softmax(z), w_k the class weight (1 when undefined), eps the label
// smoothing and W = sum_i w_{y_i}:
//   loss = (1-eps)/W * sum_i w_{y_i} (-log p_{i,y_i})
//        + (eps/K)/W * sum_i sum_k w_k (-log p_{i,k})
// and its gradient
//   dz_ij = ((1-eps) w_{y_i} (p_ij - [j==y_i]) + (eps/K) (sum_k w_k p_ij - w_j)) / W.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

struct CrossEntropyParams {
  double label_smoothing = 0.0;
};

// probs assigned: softmax over the last dimension, computed stably.
void softmax_forward(const Tensor& logits, Tensor& probs);

// probs assigned (kept for backward); loss ([1], dtype of logits) assigned,
// and returned on the host (on the GPU read back with the label check: one wait).
double cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                           const CrossEntropyParams& p, Tensor& probs, Tensor& loss);
// dlogits = dloss * d(loss)/d(logits). dlogits assigned.
void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                            const CrossEntropyParams& p, double dloss, Tensor& dlogits);

namespace cpu {
void softmax_forward(const Tensor& logits, Tensor& probs);
void cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                           const CrossEntropyParams& p, Tensor& probs, Tensor& loss);
void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                            const CrossEntropyParams& p, double dloss, Tensor& dlogits);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void softmax_forward(const Tensor& logits, Tensor& probs);
double cross_entropy_forward(const Tensor& logits, const Tensor& labels, const Tensor& class_weights,
                           const CrossEntropyParams& p, Tensor& probs, Tensor& loss);
void cross_entropy_backward(const Tensor& probs, const Tensor& labels, const Tensor& class_weights,
                            const CrossEntropyParams& p, double dloss, Tensor& dlogits);
}  // namespace cuda
#endif

}  // namespace ctcscope
