// SqueezeExcitation: the gate from the pooled channels, then the channel-wise multiply.
#include "layers/squeeze_excitation.h"

#include <sstream>

#include "kernels/channel_scale.h"
#include "kernels/elementwise.h"

namespace ctcscope {

static std::unique_ptr<Conv2d> conv1x1_bias(std::int64_t in, std::int64_t out) {
  Conv2dOptions o;
  o.in_channels = in;
  o.out_channels = out;
  o.bias = true;
  return std::make_unique<Conv2d>(o);
}

SqueezeExcitation::SqueezeExcitation(std::int64_t channels, std::int64_t squeeze_channels)
    : avgpool_(register_module("avgpool", std::make_unique<GlobalAvgPool>())),
      fc1_(register_module("fc1", conv1x1_bias(channels, squeeze_channels))),
      activation_(register_module("activation", std::make_unique<SiLU>())),
      fc2_(register_module("fc2", conv1x1_bias(squeeze_channels, channels))),
      scale_activation_(register_module("scale_activation", std::make_unique<Sigmoid>())) {}

Tensor SqueezeExcitation::gate(const Tensor& x) { return gate_from_means(avgpool_.forward(x)); }

Tensor SqueezeExcitation::gate_from_means(const Tensor& means) {
  const Tensor pooled = means.reshape({means.size(0), means.size(1), 1, 1});
  return scale_activation_.forward(fc2_.forward(activation_.forward(fc1_.forward(pooled))));
}

Tensor SqueezeExcitation::run_forward(const Tensor& x) {
  Tensor s = gate(x);
  Tensor y = Tensor::empty(x.shape(), x.dtype(), x.device());
  channel_scale_forward(x, s, y);
  if (training()) {
    saved_x_ = x;
    saved_s_ = s;
  }
  return y;
}

Tensor SqueezeExcitation::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_x_.defined(), "SqueezeExcitation::backward without a forward in training mode");
  Tensor dx = Tensor::empty(dy.shape(), dy.dtype(), dy.device());
  Tensor ds = Tensor::empty(saved_s_.shape(), dy.dtype(), dy.device());
  channel_scale_backward(dy, saved_x_, saved_s_, dx, ds);
  Tensor dpooled = fc1_.backward(activation_.backward(fc2_.backward(scale_activation_.backward(ds))));
  Tensor dgate = avgpool_.backward(dpooled.reshape({dy.size(0), dy.size(1)}));
  add(dx, dgate, dx);
  saved_x_ = saved_s_ = Tensor();
  return dx;
}

std::string SqueezeExcitation::describe() const {
  std::ostringstream out;
  out << "SqueezeExcitation(" << fc1_.options().in_channels << ", " << fc1_.options().out_channels << ")";
  return out.str();
}

}  // namespace ctcscope
