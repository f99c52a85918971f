// Conv2d: forward caches its input; backward gives dx and accumulates dw.
#include "layers/conv2d.h"

#include <sstream>

#include "kernels/bias.h"
#include "kernels/concat.h"
#include "layers/batchnorm2d.h"

namespace ctcscope {

Conv2d::Conv2d(const Conv2dOptions& o)
    : options_(o),
      weight_(register_parameter(
          "weight", Tensor::zeros({o.out_channels, o.in_channels / std::max<std::int64_t>(o.params.groups, 1),
                                   o.kernel_h, o.kernel_w}))) {
  CTC_CHECK(o.in_channels > 0 && o.out_channels > 0 && o.params.groups > 0 &&
                o.in_channels % o.params.groups == 0 && o.out_channels % o.params.groups == 0,
            "Conv2d: channels ", o.in_channels, "->", o.out_channels,
            " do not divide into groups=", o.params.groups);
  if (o.bias) bias_ = &register_parameter("bias", Tensor::zeros({o.out_channels}));
  reset_parameters(Seed{"init.conv2d"});
}

static Conv2dOptions square(std::int64_t in, std::int64_t out, std::int64_t k, std::int64_t stride,
                            std::int64_t padding, std::int64_t dilation, std::int64_t groups) {
  Conv2dOptions o;
  o.in_channels = in;
  o.out_channels = out;
  o.kernel_h = o.kernel_w = k;
  o.params.stride_h = o.params.stride_w = stride;
  o.params.pad_h = o.params.pad_w = padding;
  o.params.dilation_h = o.params.dilation_w = dilation;
  o.params.groups = groups;
  return o;
}

Conv2d::Conv2d(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
               std::int64_t padding, std::int64_t dilation, std::int64_t groups)
    : Conv2d(square(in, out, kernel, stride, padding, dilation, groups)) {}

void Conv2d::reset_parameters(const Seed& seed) {
  const std::int64_t fan_in = weight_.value.numel() / weight_.value.size(0);
  init_uniform_fan_in(weight_.value, fan_in, seed);
  if (bias_) init_uniform_fan_in(bias_->value, fan_in, Seed{seed.purpose + ".bias", seed.index, seed.seed});
}

Conv2dParams Conv2d::forward_params() const {
  Conv2dParams p = options_.params;
  p.fast_inference = !training();
  return p;
}

Tensor Conv2d::run_forward(const Tensor& x) {
  Tensor y = Tensor::empty(conv2d_output_shape(x.shape(), weight_.value.shape(), options_.params),
                           x.dtype(), x.device());
  if (fuses_output(x)) {
    conv2d_forward_bn_act(x, weight_.value, forward_params(), fusion_->epilogue(), y);
    return y;
  }
  conv2d_forward(x, weight_.value, forward_params(), y);
  if (bias_) bias_add_channels(bias_->value, y);
  if (training()) saved_x_ = x;
  return y;
}

void Conv2d::fuse_output(const InferenceFusion& fusion) {
  fusion_ = std::make_unique<InferenceFusion>(fusion);
  if (fusion.residual) return;  // the block chooses: forward_with_residual or the four steps
  fusion.bn->set_fused_into(fusion_.get());
  if (fusion.activation != nullptr) fusion.activation->set_fused_into(fusion_.get());
}

Tensor Conv2d::forward_with_residual(const Tensor& x, const Tensor& residual) {
  CTC_CHECK(fuses_residual(x), "Conv2d::forward_with_residual: ", describe(),
            " is not fused with a residual for this input (fuse_residual_output, eval mode, CPU)");
  Tensor y = Tensor::empty(conv2d_output_shape(x.shape(), weight_.value.shape(), options_.params),
                           x.dtype(), x.device());
  InferenceBatchNorm epilogue = fusion_->epilogue();
  epilogue.residual = residual;
  conv2d_forward_bn_act(x, weight_.value, forward_params(), epilogue, y);
  return y;
}

Tensor Conv2d::forward_gated(const Tensor& x, const Tensor& gate, const Tensor& residual) {
  CTC_CHECK(fuses_output(x), "Conv2d::forward_gated: ", describe(),
            " is not fused with its batch norm for this input (fuse_for_inference, eval mode, CPU)");
  CTC_CHECK(!residual.defined() || fusion_->activation == nullptr, "Conv2d::forward_gated: ", describe(),
            " has an activation after its batch norm, which a residual would have to precede");
  Tensor y = Tensor::empty(conv2d_output_shape(x.shape(), weight_.value.shape(), options_.params),
                           x.dtype(), x.device());
  InferenceBatchNorm epilogue = fusion_->epilogue();
  epilogue.residual = residual;
  conv2d_forward_bn_act(x, weight_.value, forward_params(), epilogue, y, gate);
  return y;
}

Tensor Conv2d::forward_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& input_bn) {
  const Tensor& x0 = pieces.front();
  CTC_CHECK(fuses_output(x0), "Conv2d::forward_concat: ", describe(),
            " is not fused with its batch norm for this input (fuse_for_inference, eval mode, CPU)");
  Tensor y = Tensor::empty(conv2d_output_shape(concat_channels_shape(pieces), weight_.value.shape(), options_.params), x0.dtype(), x0.device());
  conv2d_forward_bn_act_concat(pieces, input_bn, weight_.value, forward_params(), fusion_->epilogue(), y);
  return y;
}

Tensor Conv2d::forward_expand_depthwise(const Tensor& x, const Conv2d& depthwise, Tensor& means) {
  const Shape expanded = conv2d_output_shape(x.shape(), weight_.value.shape(), options_.params);
  // The depthwise convolution's input would be on x's device, all its fusion asks of an input.
  CTC_CHECK(fuses_output(x) && depthwise.fuses_output(x), "Conv2d::forward_expand_depthwise: ", describe(),
            " and ", depthwise.describe(), " are not both fused with their batch norms (fuse_for_inference, eval mode, CPU)");
  Tensor y = Tensor::empty(conv2d_output_shape(expanded, depthwise.weight_.value.shape(), depthwise.options_.params),
                           x.dtype(), x.device());
  means = Tensor::empty({y.size(0), y.size(1)}, x.dtype(), x.device());
  conv2d_forward_expand_depthwise(x, weight_.value, forward_params(), fusion_->epilogue(), depthwise.weight_.value,
                                  depthwise.forward_params(), depthwise.fusion_->epilogue(), y, means);
  return y;
}

Tensor Conv2d::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_x_.defined(), "Conv2d::backward without a forward in training mode");
  conv2d_backward_filter(dy, saved_x_, options_.params, weight_.grad);
  if (bias_) bias_backward_channels(dy, bias_->grad);
  Tensor dx;
  if (input_grad_) {
    dx = Tensor::empty(saved_x_.shape(), dy.dtype(), dy.device());
    conv2d_backward_data(dy, weight_.value, options_.params, dx);
  }
  saved_x_ = Tensor();
  return dx;
}

std::string Conv2d::describe() const {
  const auto& p = options_.params;
  std::ostringstream out;
  out << "Conv2d(" << options_.in_channels << ", " << options_.out_channels << ", k="
      << options_.kernel_h << "x" << options_.kernel_w << ", s=" << p.stride_h << ", p=" << p.pad_h;
  if (p.dilation_h != 1) out << ", d=" << p.dilation_h;
  if (p.groups != 1) out << ", g=" << p.groups;
  if (bias_) out << ", bias";
  out << ")";
  return out.str();
}

// Forward 2*N*K*P*Q*(C/groups)*R*S flops (plus N*K*P*Q for a bias);
// backward twice that, dx and dw (once without an input gradient). Bytes: x,
// w and y forward; dy, x, w, dw and dx backward.
LayerCost Conv2d::cost(const Tensor& x) const {
  const Shape y = conv2d_output_shape(x.shape(), weight_.value.shape(), options_.params);
  const double element = static_cast<double>(dtype_size(x.dtype()));
  const double ny = static_cast<double>(shape_numel(y)), nx = static_cast<double>(x.numel());
  const double nw = static_cast<double>(weight_.value.numel());
  const double macs = ny * nw / static_cast<double>(options_.out_channels);  // nw / K = (C/groups)*R*S
  const double bias = bias_ ? ny : 0.0;
  LayerCost c;
  c.forward_flops = 2 * macs + bias;
  c.backward_flops = (input_grad_ ? 4 : 2) * macs + bias;
  c.forward_bytes = element * (nx + nw + ny);
  c.backward_bytes = element * (ny + nx + 2 * nw + (input_grad_ ? nx : 0.0));
  return c;
}

}  // namespace ctcscope
