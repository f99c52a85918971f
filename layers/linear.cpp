// Linear: forward caches its input; backward gives dx, accumulates dw and db.
#include "layers/linear.h"

#include <sstream>

namespace ctcscope {

Linear::Linear(std::int64_t in_features, std::int64_t out_features)
    : in_(in_features),
      out_(out_features),
      weight_(register_parameter("weight", Tensor::zeros({out_features, in_features}))),
      bias_(register_parameter("bias", Tensor::zeros({out_features}))) {
  CTC_CHECK(in_features > 0 && out_features > 0, "Linear: sizes must be positive, got ",
            in_features, " -> ", out_features);
  reset_parameters(Seed{"init.linear"});
}

void Linear::reset_parameters(const Seed& seed) {
  init_uniform_fan_in(weight_.value, in_, Seed{seed.purpose + ".weight", seed.index, seed.seed});
  init_uniform_fan_in(bias_.value, in_, Seed{seed.purpose + ".bias", seed.index, seed.seed});
}

Tensor Linear::run_forward(const Tensor& x) {
  CTC_CHECK(x.dim() == 2, "Linear: input must be [N, ", in_, "], got ", x.shape_str());
  Tensor y = Tensor::empty({x.size(0), out_}, x.dtype(), x.device());
  linear_forward(x, weight_.value, bias_.value, y);
  if (training()) saved_x_ = x;
  return y;
}

Tensor Linear::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_x_.defined(), "Linear::backward without a forward in training mode");
  Tensor dx = Tensor::empty(saved_x_.shape(), dy.dtype(), dy.device());
  linear_backward_data(dy, weight_.value, dx);
  linear_backward_weight(dy, saved_x_, weight_.grad, bias_.grad);
  saved_x_ = Tensor();
  return dx;
}

std::string Linear::describe() const {
  std::ostringstream out;
  out << "Linear(" << in_ << ", " << out_ << ")";
  return out.str();
}

// Forward 2*N*I*O flops plus N*O for the bias; backward 4*N*I*O (dx and dw)
// plus N*O (db). Bytes: x, w, b and y forward; dy, x, w, dx, dw and db backward.
LayerCost Linear::cost(const Tensor& x) const {
  const double element = static_cast<double>(dtype_size(x.dtype()));
  const double n = static_cast<double>(x.numel() / in_), in = static_cast<double>(in_);
  const double out = static_cast<double>(out_);
  LayerCost c;
  c.forward_flops = 2 * n * in * out + n * out;
  c.backward_flops = 4 * n * in * out + n * out;
  c.forward_bytes = element * (n * in + in * out + out + n * out);
  c.backward_bytes = element * (n * out + n * in + in * out + n * in + in * out + out);
  return c;
}

}  // namespace ctcscope
