// MBConv: expand, depthwise, squeeze-excitation, project, and the residual
// with stochastic depth.
#include "layers/mbconv.h"

#include <sstream>

#include "kernels/elementwise.h"
#include "layers/inference_fusion.h"

namespace ctcscope {

std::unique_ptr<Sequential> make_conv_norm_silu(std::int64_t in, std::int64_t out, std::int64_t kernel,
                                                std::int64_t stride, std::int64_t groups, bool silu, double eps) {
  auto seq = std::make_unique<Sequential>();
  auto& conv = seq->add(std::make_unique<Conv2d>(in, out, kernel, stride, (kernel - 1) / 2, 1, groups));
  auto& bn = seq->add(std::make_unique<BatchNorm2d>(out, eps));
  fuse_for_inference(conv, bn, silu ? &seq->add(std::make_unique<SiLU>()) : nullptr);
  return seq;
}

std::int64_t make_divisible(double v, std::int64_t divisor) {
  std::int64_t rounded = static_cast<std::int64_t>(v + double(divisor) / 2) / divisor * divisor;
  std::int64_t out = std::max(divisor, rounded);
  if (double(out) < 0.9 * v) out += divisor;
  return out;
}

static std::unique_ptr<Sequential> make_block(const MBConvOptions& o) {
  auto block = std::make_unique<Sequential>();
  // torchvision: cnf.adjust_channels(input_channels, expand_ratio).
  const std::int64_t expanded = make_divisible(double(o.in_channels) * o.expand_ratio);
  if (expanded != o.in_channels) {
    block->add(make_conv_norm_silu(o.in_channels, expanded, 1, 1, 1, true, o.bn_eps));
  }
  block->add(make_conv_norm_silu(expanded, expanded, o.kernel, o.stride, expanded, true, o.bn_eps));
  block->add(std::make_unique<SqueezeExcitation>(expanded, std::max<std::int64_t>(1, o.in_channels / 4)));
  block->add(make_conv_norm_silu(expanded, o.out_channels, 1, 1, 1, false, o.bn_eps));
  return block;
}

MBConv::MBConv(const MBConvOptions& o)
    : options_(o),
      residual_(o.stride == 1 && o.in_channels == o.out_channels),
      block_(register_module("block", make_block(o))),
      stochastic_depth_(register_module("stochastic_depth", std::make_unique<StochasticDepth>(o.stochastic_depth_p, o.seed))) {
  CTC_CHECK(o.stride == 1 || o.stride == 2, "MBConv: stride must be 1 or 2, got ", o.stride);
  const auto conv_of = [](Module* stage) { return &dynamic_cast<Conv2d&>(*stage->children().front().second); };
  std::vector<Module*> before_gate;
  for (const auto& [name, child] : block_.children()) {
    if (auto* se = dynamic_cast<SqueezeExcitation*>(child)) {
      squeeze_ = se;
    } else if (squeeze_ == nullptr) {
      before_gate.push_back(child);
    } else {
      project_ = conv_of(child);
    }
  }
  if (before_gate.size() == 2) expand_ = before_gate.front(), expand_conv_ = conv_of(expand_);
  depthwise_ = before_gate.back(), depthwise_conv_ = conv_of(depthwise_);
}

Tensor MBConv::run_forward(const Tensor& x) {
  // Fused inference: the expansion and the depthwise convolution in one pass,
  // the gate applied as the projection reads its input, the residual
  // (stochastic depth is the identity in eval mode) in its output pass.
  if (!squeeze_->training() && !stochastic_depth_.training() && project_->fuses_output(x)) {
    if (expand_ != nullptr && expand_conv_->fuses_output(x) && depthwise_conv_->fuses_output(x)) {
      Tensor means;
      const Tensor h = expand_conv_->forward_expand_depthwise(x, *depthwise_conv_, means);
      return project_->forward_gated(h, squeeze_->gate_from_means(means), residual_ ? x : Tensor());
    }
    const Tensor h = depthwise_->forward(expand_ != nullptr ? expand_->forward(x) : x);
    return project_->forward_gated(h, squeeze_->gate(h), residual_ ? x : Tensor());
  }
  Tensor out = block_.forward(x);
  if (!residual_) return out;
  out = stochastic_depth_.forward(out);
  Tensor sum = Tensor::empty(out.shape(), out.dtype(), out.device());
  add(out, x, sum);
  return sum;
}

Tensor MBConv::run_backward(const Tensor& dy) {
  if (!residual_) return block_.backward(dy);
  Tensor dx = block_.backward(stochastic_depth_.backward(dy));
  add(dx, dy, dx);
  return dx;
}

std::string MBConv::describe() const {
  std::ostringstream out;
  out << "MBConv(" << options_.in_channels << " -> " << options_.out_channels << ", k=" << options_.kernel
      << ", s=" << options_.stride << ", expand=" << options_.expand_ratio << (residual_ ? ", residual" : "")
      << ")";
  return out.str();
}

}  // namespace ctcscope
