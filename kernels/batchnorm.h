// Batch normalisation over N,H,W per channel (BatchNorm2d).
// x, y, dy, dx: [N,C,H,W]   gamma, beta, running_*, saved_*: [C]
// Training mode normalises with the batch statistics (biased variance) and
// updates the running statistics as PyTorch: running = (1-momentum)*running +
// momentum*batch, with the unbiased variance (M/(M-1), M = N*H*W).
#pragma once

#include <vector>

#include "tensor/tensor.h"

namespace ctcscope {

struct BatchNormParams {
  double eps = 1e-5;       // torch.nn.BatchNorm2d default
  double momentum = 0.1;   // torch.nn.BatchNorm2d default
};

// y assigned; saved_mean and saved_invstd (1/sqrt(var+eps)) assigned for
// backward; running_mean and running_var updated in place.
void batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const BatchNormParams& p, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& saved_mean,
                               Tensor& saved_invstd);
// y = (x - running_mean) / sqrt(running_var + eps) * gamma + beta. y assigned.
void batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var,
                               const BatchNormParams& p, Tensor& y);
// With xhat = (x - mean) * invstd and M = N*H*W:
//   dbeta  += sum(dy)            dgamma += sum(dy * xhat)
//   dx = gamma * invstd / M * (M*dy - sum(dy) - xhat * sum(dy * xhat))
// dx assigned; dgamma, dbeta accumulated. p: the forward's (cuDNN asks for
// the same eps as the forward; the CPU twin needs only saved_invstd).
void batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                          const Tensor& saved_mean, const Tensor& saved_invstd,
                          const BatchNormParams& p, Tensor& dx, Tensor& dgamma, Tensor& dbeta);

// Inference: an eval-mode batch norm and what follows it in the networks,
// in one pass over memory: y = act(batchnorm_infer(x) + residual). The same
// bits as batchnorm2d_forward_infer, add and relu_forward / silu_forward one
// after the other (the tests hold them equal). A convolution can apply it to
// its own output (conv2d_forward_bn_act). CPU only: on the GPU the layers run
// each op itself.
enum class Activation { none, relu, silu };
struct InferenceBatchNorm {
  Tensor gamma, beta, running_mean, running_var;  // [C], as BatchNorm2d's
  BatchNormParams params;
  Tensor residual;  // x's shape, added before the activation; undefined: none
  Activation activation = Activation::none;
};
// y assigned (y may be x).
void batchnorm2d_forward_infer_act(const Tensor& x, const InferenceBatchNorm& bn, Tensor& y);
// The same on the channel concatenation of `pieces` ([N, C_i, H, W], one
// dtype; y [N, sum C_i, H, W]), which is never built: DenseNet's layers read
// every earlier layer's features where they lie instead of copying them all
// into a new tensor for each layer. y shares memory with no piece.
void batchnorm2d_forward_infer_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& bn,
                                          Tensor& y);
// The checks both fused entry points make on `bn` for an output y (this op's
// and conv2d_forward_bn_act's): statistics [C] of y's dtype and device, valid
// params, a residual of y's shape not sharing its memory, the CPU.
void check_inference_batchnorm(const InferenceBatchNorm& bn, const Tensor& y, const char* op);

namespace cpu {
void batchnorm2d_forward_infer_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& bn,
                                          Tensor& y);
void batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const BatchNormParams& p, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& saved_mean,
                               Tensor& saved_invstd);
void batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var,
                               const BatchNormParams& p, Tensor& y);
void batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                          const Tensor& saved_mean, const Tensor& saved_invstd, Tensor& dx,
                          Tensor& dgamma, Tensor& dbeta);
}  // namespace cpu

#ifdef CTC_WITH_CUDA
// The GPU backend (kernels/cuda/): the same calls on f32 tensors on the GPU.
namespace cuda {
void batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const BatchNormParams& p, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& saved_mean,
                               Tensor& saved_invstd);
void batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var,
                               const BatchNormParams& p, Tensor& y);
void batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                          const Tensor& saved_mean, const Tensor& saved_invstd,
                          const BatchNormParams& p, Tensor& dx, Tensor& dgamma, Tensor& dbeta);
}  // namespace cuda
#endif

}  // namespace ctcscope
