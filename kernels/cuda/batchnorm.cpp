// BatchNorm2d on the GPU through cuDNN (CUDNN_BATCHNORM_SPATIAL: statistics
// per channel over N,H,W). cuDNN's saved inverse variance is 1/sqrt(var+eps),
// the CPU twin's saved_invstd, and its running variance is updated with the
// unbiased batch variance, as PyTorch (which calls this same function).
#include "kernels/batchnorm.h"
#include "kernels/cuda/common.h"

namespace ctcscope::cuda {
namespace {

struct BnDescs {
  TensorDesc x, per_channel;
  BnDescs(const Tensor& x_t, const char* op) {
    x.set_nchw(x_t.size(0), x_t.size(1), x_t.size(2), x_t.size(3), op);
    CTC_CUDNN_CHECK(cudnnDeriveBNTensorDescriptor(per_channel.get(), x.get(),
                                                  CUDNN_BATCHNORM_SPATIAL));
  }
};

void check_eps(double eps, const char* op) {
  CTC_CHECK(eps >= CUDNN_BN_MIN_EPSILON, op, ": eps ", eps, " is below cuDNN's minimum ",
            CUDNN_BN_MIN_EPSILON);
}

}  // namespace

void batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const BatchNormParams& p, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& saved_mean,
                               Tensor& saved_invstd) {
  const char* op = "batchnorm2d_forward_train";
  require_f32(x, op, "x");
  check_eps(p.eps, op);
  DeviceContext& ctx = device_context();
  BnDescs d(x, op);
  const float alpha = 1.0f, blend = 0.0f;  // y assigned
  // exponentialAverageFactor is PyTorch's momentum:
  // running = (1 - factor) * running + factor * batch.
  CTC_CUDNN_CHECK(cudnnBatchNormalizationForwardTraining(
      ctx.cudnn(), CUDNN_BATCHNORM_SPATIAL, &alpha, &blend, d.x.get(), x.raw_data(), d.x.get(),
      y.raw_data(), d.per_channel.get(), gamma.raw_data(), beta.raw_data(), p.momentum,
      running_mean.raw_data(), running_var.raw_data(), p.eps, saved_mean.raw_data(),
      saved_invstd.raw_data()));
}

void batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var,
                               const BatchNormParams& p, Tensor& y) {
  const char* op = "batchnorm2d_forward_infer";
  require_f32(x, op, "x");
  check_eps(p.eps, op);
  if (x.numel() == 0) return;  // as the CPU twin; cuDNN is not asked about an empty batch
  DeviceContext& ctx = device_context();
  BnDescs d(x, op);
  const float alpha = 1.0f, blend = 0.0f;
  CTC_CUDNN_CHECK(cudnnBatchNormalizationForwardInference(
      ctx.cudnn(), CUDNN_BATCHNORM_SPATIAL, &alpha, &blend, d.x.get(), x.raw_data(), d.x.get(),
      y.raw_data(), d.per_channel.get(), gamma.raw_data(), beta.raw_data(),
      running_mean.raw_data(), running_var.raw_data(), p.eps));
}

// cuDNN computes dx from the saved mean and inverse std, and asks for the
// forward's epsilon too ("the same epsilon should be used in forward and
// backward"), so the forward's params come along. The tests run a
// non-default eps to hold this.
void batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                          const Tensor& saved_mean, const Tensor& saved_invstd,
                          const BatchNormParams& p, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  const char* op = "batchnorm2d_backward";
  require_f32(x, op, "x");
  check_eps(p.eps, op);
  DeviceContext& ctx = device_context();
  BnDescs d(x, op);
  const float one = 1.0f, zero = 0.0f;
  // dx = 1 * grad + 0 * dx (assigned); dgamma, dbeta = 1 * grad + 1 * old (accumulated).
  CTC_CUDNN_CHECK(cudnnBatchNormalizationBackward(
      ctx.cudnn(), CUDNN_BATCHNORM_SPATIAL, &one, &zero, &one, &one, d.x.get(), x.raw_data(),
      d.x.get(), dy.raw_data(), d.x.get(), dx.raw_data(), d.per_channel.get(), gamma.raw_data(),
      dgamma.raw_data(), dbeta.raw_data(), p.eps, saved_mean.raw_data(),
      saved_invstd.raw_data()));
}

}  // namespace ctcscope::cuda
