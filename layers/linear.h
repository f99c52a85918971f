// Linear: y = x w^T + b, as torch.nn.Linear. Parameters "weight" [O,I] and
// "bias" [O].
#pragma once

#include "kernels/linear.h"
#include "layers/module.h"
#include "tensor/random.h"

namespace ctcscope {

class Linear : public Module {
 public:
  Linear(std::int64_t in_features, std::int64_t out_features);

  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

  // PyTorch's default: weight and bias from U(-1/sqrt(in), 1/sqrt(in)).
  void reset_parameters(const Seed& seed);

  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }
  std::int64_t in_features() const { return in_; }
  std::int64_t out_features() const { return out_; }

 protected:
  void on_mode_change() override { saved_x_ = Tensor(); }

 private:
  std::int64_t in_, out_;
  Parameter& weight_;
  Parameter& bias_;
  Tensor saved_x_;
};

}  // namespace ctcscope
