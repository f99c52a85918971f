// BatchNorm2d entry points: check every argument (op and argument named in the
// message), then dispatch on the device (CPU twin or cuDNN).
#include "kernels/batchnorm.h"

#include "kernels/arg_checks.h"
#include "kernels/concat.h"

namespace ctcscope {

using argcheck::check_backend;
using argcheck::check_dim;
using argcheck::check_float;
using argcheck::check_like;

// x is NCHW float; every per-channel tensor is [C] of x's dtype and device.
static void check_bn_input(const Tensor& x, const char* op) {
  check_float(x, op, "x");
  check_dim(x, 4, op, "x");
}

static void check_channel_vector(const Tensor& t, const Tensor& x, const char* op,
                                 const char* arg) {
  check_like(t, x, {x.size(1)}, op, arg);
}

static void check_params(const BatchNormParams& p, const char* op) {
  CTC_CHECK(p.eps > 0, op, ": eps must be positive, got ", p.eps);
  CTC_CHECK(p.momentum >= 0 && p.momentum <= 1, op, ": momentum must be in [0,1], got ",
            p.momentum);
}

void batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const BatchNormParams& p, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& saved_mean,
                               Tensor& saved_invstd) {
  const char* op = "batchnorm2d_forward_train";
  check_bn_input(x, op);
  check_params(p, op);
  check_channel_vector(gamma, x, op, "gamma");
  check_channel_vector(beta, x, op, "beta");
  check_channel_vector(running_mean, x, op, "running_mean");
  check_channel_vector(running_var, x, op, "running_var");
  check_like(y, x, x.shape(), op, "y");
  check_channel_vector(saved_mean, x, op, "saved_mean");
  check_channel_vector(saved_invstd, x, op, "saved_invstd");
  // As PyTorch: the unbiased variance needs two values per channel.
  CTC_CHECK(x.size(0) * x.size(2) * x.size(3) > 1, op,
            ": expected more than 1 value per channel when training, x is ", x.shape_str());
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) {
    return cuda::batchnorm2d_forward_train(x, gamma, beta, p, running_mean, running_var, y,
                                           saved_mean, saved_invstd);
  }
#else
  check_backend(x, op);
#endif
  cpu::batchnorm2d_forward_train(x, gamma, beta, p, running_mean, running_var, y, saved_mean,
                                 saved_invstd);
}

void batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var,
                               const BatchNormParams& p, Tensor& y) {
  const char* op = "batchnorm2d_forward_infer";
  check_bn_input(x, op);
  check_params(p, op);
  check_channel_vector(gamma, x, op, "gamma");
  check_channel_vector(beta, x, op, "beta");
  check_channel_vector(running_mean, x, op, "running_mean");
  check_channel_vector(running_var, x, op, "running_var");
  check_like(y, x, x.shape(), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) {
    return cuda::batchnorm2d_forward_infer(x, gamma, beta, running_mean, running_var, p, y);
  }
#else
  check_backend(x, op);
#endif
  cpu::batchnorm2d_forward_infer(x, gamma, beta, running_mean, running_var, p, y);
}

void batchnorm2d_forward_infer_act(const Tensor& x, const InferenceBatchNorm& bn, Tensor& y) {
  const char* op = "batchnorm2d_forward_infer_act";
  check_bn_input(x, op);
  check_like(y, x, x.shape(), op, "y");
  check_inference_batchnorm(bn, y, op);
  cpu::batchnorm2d_forward_infer_act_concat({x}, bn, y);
}

void batchnorm2d_forward_infer_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& bn,
                                          Tensor& y) {
  const char* op = "batchnorm2d_forward_infer_act_concat";
  CTC_CHECK(!pieces.empty(), op, ": no pieces");
  check_bn_input(y, op);
  for (const Tensor& piece : pieces) {
    check_bn_input(piece, op);
    check_like(piece, y, {y.size(0), piece.size(1), y.size(2), y.size(3)}, op, "a piece");
    CTC_CHECK(!piece.same_data(y), op, ": y must not share memory with a piece");
  }
  const std::int64_t channels = concat_channels_shape(pieces)[1];
  CTC_CHECK(channels == y.size(1), op, ": the pieces have ", channels, " channels, y ", y.shape_str());
  check_inference_batchnorm(bn, y, op);
  cpu::batchnorm2d_forward_infer_act_concat(pieces, bn, y);
}

void check_inference_batchnorm(const InferenceBatchNorm& bn, const Tensor& y, const char* op) {
  check_params(bn.params, op);
  check_channel_vector(bn.gamma, y, op, "gamma");
  check_channel_vector(bn.beta, y, op, "beta");
  check_channel_vector(bn.running_mean, y, op, "running_mean");
  check_channel_vector(bn.running_var, y, op, "running_var");
  if (bn.residual.defined()) {
    check_like(bn.residual, y, y.shape(), op, "residual");
    CTC_CHECK(!bn.residual.same_data(y), op, ": y must not share memory with residual");
  }
  CTC_CHECK(y.device() == Device::cpu, op,
            ": CPU only; on the GPU batch norm, the add and the activation run as their own ops");
}

void batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                          const Tensor& saved_mean, const Tensor& saved_invstd,
                          const BatchNormParams& p, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  const char* op = "batchnorm2d_backward";
  check_params(p, op);
  check_bn_input(x, op);
  check_like(dy, x, x.shape(), op, "dy");
  check_channel_vector(gamma, x, op, "gamma");
  check_channel_vector(saved_mean, x, op, "saved_mean");
  check_channel_vector(saved_invstd, x, op, "saved_invstd");
  check_like(dx, x, x.shape(), op, "dx");
  check_channel_vector(dgamma, x, op, "dgamma");
  check_channel_vector(dbeta, x, op, "dbeta");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) {
    return cuda::batchnorm2d_backward(dy, x, gamma, saved_mean, saved_invstd, p, dx, dgamma, dbeta);
  }
#else
  check_backend(x, op);
#endif
  cpu::batchnorm2d_backward(dy, x, gamma, saved_mean, saved_invstd, dx, dgamma, dbeta);
}

}  // namespace ctcscope
