// BatchNorm2d: forward in training or eval mode, backward from the saved
// batch mean and inverse standard deviation.
#include "layers/batchnorm2d.h"

#include <sstream>

#include "kernels/concat.h"

namespace ctcscope {

BatchNorm2d::BatchNorm2d(std::int64_t channels, double eps, double momentum)
    : channels_(channels),
      params_{eps, momentum},
      weight_(register_parameter("weight", Tensor::full({channels}, 1.0))),
      bias_(register_parameter("bias", Tensor::zeros({channels}))),
      running_mean_(register_buffer("running_mean", Tensor::zeros({channels}))),
      running_var_(register_buffer("running_var", Tensor::full({channels}, 1.0))),
      num_batches_tracked_(register_buffer("num_batches_tracked", Tensor::zeros({}, DType::i64))) {}

Tensor BatchNorm2d::run_forward(const Tensor& x) {
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  if (!training() && fusion_ && fusion_->active(x)) {
    batchnorm2d_forward_infer_act(x, fusion_->epilogue(), y);
    return y;
  }
  if (!training()) {
    batchnorm2d_forward_infer(x, weight_.value, bias_.value, running_mean_, running_var_, params_, y);
    return y;
  }
  saved_mean_ = Tensor::empty({channels_}, x.dtype(), x.device());
  saved_invstd_ = Tensor::empty({channels_}, x.dtype(), x.device());
  batchnorm2d_forward_train(x, weight_.value, bias_.value, params_, running_mean_, running_var_, y,
                            saved_mean_, saved_invstd_);
  num_batches_tracked_.data<std::int64_t>()[0] += 1;
  saved_x_ = x;
  return y;
}

std::optional<InferenceBatchNorm> BatchNorm2d::fused_epilogue(const Tensor& x) const {
  if (training() || !fusion_ || !fusion_->active(x)) return std::nullopt;
  return fusion_->epilogue();
}

Tensor BatchNorm2d::forward_concat(const std::vector<Tensor>& pieces) {
  CTC_CHECK(!pieces.empty(), "BatchNorm2d::forward_concat: no pieces");
  const Tensor& x = pieces.front();
  if (pieces.size() == 1) return forward(x);
  Tensor y = Tensor::empty(concat_channels_shape(pieces), x.dtype(), x.device());
  if (const auto epilogue = fused_epilogue(x)) {
    batchnorm2d_forward_infer_act_concat(pieces, *epilogue, y);
    return y;
  }
  concat_channels(pieces, y);
  return forward(y);
}

void BatchNorm2d::fuse_activation(const InferenceFusion& fusion) {
  fusion_ = std::make_unique<InferenceFusion>(fusion);
  fusion.activation->set_fused_into(fusion_.get());
}

Tensor BatchNorm2d::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_x_.defined(), "BatchNorm2d::backward without a forward in training mode");
  Tensor dx = Tensor::empty(saved_x_.shape(), dy.dtype(), dy.device());
  batchnorm2d_backward(dy, saved_x_, weight_.value, saved_mean_, saved_invstd_, params_, dx, weight_.grad,
                       bias_.grad);
  on_mode_change();
  return dx;
}

void BatchNorm2d::on_mode_change() {
  saved_x_ = Tensor();
  saved_mean_ = Tensor();
  saved_invstd_ = Tensor();
}

std::int64_t BatchNorm2d::batches_tracked() const {
  return num_batches_tracked_.data<std::int64_t>()[0];
}

std::string BatchNorm2d::describe() const {
  std::ostringstream out;
  out << "BatchNorm2d(" << channels_ << ", eps=" << params_.eps << ")";
  return out.str();
}

// Per element: forward 5 flops in training (3 for the sums of x and x^2, 2
// for x*a + b with a, b per channel), 2 in eval; backward 9 (2 to rebuild
// xhat, 3 for the sums of dy and dy*xhat, 4 for dx). Bytes: x and y
// forward; dy, x and dx backward.
LayerCost BatchNorm2d::cost(const Tensor& x) const {
  return elementwise_cost(x, training() ? 5 : 2, 9, 2, 3);
}

}  // namespace ctcscope
