// EfficientNet's MBConv block (Tan & Le 2019) as torchvision builds it:
//   block.0  expand: Conv2dNormActivation 1x1 (conv, BN, SiLU), absent when expand_ratio == 1
//   block.1  depthwise k x k, stride s (conv groups=C, BN, SiLU)
//   block.2  SqueezeExcitation(expanded, max(1, in // 4))
//   block.3  project 1x1 (conv, BN, no activation)
//   out = x + stochastic_depth(block(x)) when stride == 1 and in == out, else block(x).
// (Indices shift down by one without the expansion.) In fused inference on
// the CPU the expansion hands its output to the depthwise convolution 16
// channels at a time while in cache (Conv2d::forward_expand_depthwise), and
// the projection reads the squeeze-excitation's input and applies its gate
// as it packs it, and adds the residual in its output pass
// (Conv2d::forward_gated): no expanded tensor, no pass for x * s, none for
// the add.
#pragma once

#include "layers/activation.h"
#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/dropout.h"
#include "layers/sequential.h"
#include "layers/squeeze_excitation.h"

namespace ctcscope {

// torchvision.ops.Conv2dNormActivation: Sequential(conv (no bias, padding
// (k-1)/2), BatchNorm2d(out, eps), SiLU when `silu`) named "0", "1", "2".
std::unique_ptr<Sequential> make_conv_norm_silu(std::int64_t in, std::int64_t out, std::int64_t kernel,
                                                std::int64_t stride, std::int64_t groups, bool silu, double eps);

struct MBConvOptions {
  double expand_ratio = 1;
  std::int64_t kernel = 3, stride = 1, in_channels = 0, out_channels = 0;
  double stochastic_depth_p = 0;
  double bn_eps = 1e-5;  // torchvision's efficientnet_b0..b4 use nn.BatchNorm2d's default
  Seed seed{"stochastic_depth"};
};

class MBConv : public Module {
 public:
  explicit MBConv(const MBConvOptions& options);
  Tensor run_forward(const Tensor& x) override;
  // With the residual: dx = block.backward(stochastic_depth.backward(dy)) + dy.
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;

  bool residual() const { return residual_; }
  StochasticDepth& stochastic_depth() { return stochastic_depth_; }

 private:
  MBConvOptions options_;
  bool residual_;
  Sequential& block_;
  StochasticDepth& stochastic_depth_;
  // block_'s parts, for the fused inference path: the expansion stage
  // (conv, BN, SiLU; nullptr without one) and the depthwise stage, their
  // convolutions, the squeeze-excitation, the projection's convolution.
  Module* expand_ = nullptr;
  Module* depthwise_ = nullptr;
  Conv2d* expand_conv_ = nullptr;
  Conv2d* depthwise_conv_ = nullptr;
  SqueezeExcitation* squeeze_ = nullptr;
  Conv2d* project_ = nullptr;
};

// _make_divisible(v, 8) of torchvision (from TF's mobilenet): round to the
// nearest multiple of 8, at least 8, never more than 10% down.
std::int64_t make_divisible(double v, std::int64_t divisor = 8);

}  // namespace ctcscope
