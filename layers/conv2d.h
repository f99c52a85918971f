// Conv2d: the convolution layer. Parameter "weight" [K, C/groups, R, S] and,
// only when asked (squeeze-excitation's 1x1 convolutions), "bias" [K]; the
// convolutions followed by BatchNorm have none.
#pragma once

#include <memory>

#include "kernels/conv.h"
#include "layers/inference_fusion.h"
#include "layers/module.h"
#include "tensor/random.h"

namespace ctcscope {

struct Conv2dOptions {
  std::int64_t in_channels = 0, out_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  Conv2dParams params;  // stride, padding, dilation, groups
  bool bias = false;
};

class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  // Square kernel, stride, padding and dilation.
  Conv2d(std::int64_t in_channels, std::int64_t out_channels, std::int64_t kernel,
         std::int64_t stride = 1, std::int64_t padding = 0, std::int64_t dilation = 1,
         std::int64_t groups = 1);

  Tensor run_forward(const Tensor& x) override;
  // Returns dx, or an undefined tensor when set_input_grad(false).
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

  // PyTorch's default: U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the weight and the bias.
  void reset_parameters(const Seed& seed);
  // The first layer of a network needs no gradient for its input image.
  void set_input_grad(bool on) { input_grad_ = on; }

  // Applies fusion.bn and fusion.activation to this layer's output in eval
  // mode on the CPU, and makes those layers pass through then
  // (layers/inference_fusion.h; called by fuse_for_inference).
  void fuse_output(const InferenceFusion& fusion);
  // A residual block's last convolution (fuse_residual_output): whether the
  // fused forward applies to x now, and that forward, act(bn(conv(x)) +
  // residual). It is not a Module::forward, so a profiler does not time it.
  bool fuses_residual(const Tensor& x) const { return fusion_ && fusion_->residual && fusion_->active(x); }
  Tensor forward_with_residual(const Tensor& x, const Tensor& residual);
  // A convolution fused with its batch norm (fuse_for_inference): whether
  // that applies to x now, and the fused forward on x * gate[n, c] (a
  // squeeze-excitation's gate, which a 1x1 convolution applies as it reads
  // x), plus a residual after the batch norm where one is given (an MBConv's
  // block input; the fusion has no activation then). Not a Module::forward
  // either.
  bool fuses_output(const Tensor& x) const { return fusion_ && !fusion_->residual && fusion_->active(x); }
  Tensor forward_gated(const Tensor& x, const Tensor& gate, const Tensor& residual = Tensor());
  // The fused forward on input_bn's act(batchnorm(cat(pieces))), neither
  // the concatenation nor the normalised input built where this is a 1x1
  // convolution (conv2d_forward_bn_act_concat: DenseNet's conv1).
  Tensor forward_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& input_bn);

  // An MBConv's expansion followed by its depthwise convolution, both fused
  // with their batch norms for x (fuses_output): the two fused forwards in
  // one pass, the expanded tensor not built, and the output's channel means
  // ([N, C], a squeeze-excitation's pool) in `means`
  // (conv2d_forward_expand_depthwise).
  Tensor forward_expand_depthwise(const Tensor& x, const Conv2d& depthwise, Tensor& means);

  Parameter& weight() { return weight_; }
  // nullptr without a bias.
  Parameter* bias() { return bias_; }
  const Conv2dOptions& options() const { return options_; }

 protected:
  void on_mode_change() override { saved_x_ = Tensor(); }

 private:
  // options_.params, with fast_inference in eval mode.
  Conv2dParams forward_params() const;

  Conv2dOptions options_;
  Parameter& weight_;
  Parameter* bias_ = nullptr;
  bool input_grad_ = true;
  Tensor saved_x_;
  std::unique_ptr<InferenceFusion> fusion_;
};

}  // namespace ctcscope
