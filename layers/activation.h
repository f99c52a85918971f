// SiLU and Sigmoid layers (EfficientNet's activation and squeeze-excitation's
// gate). SiLU keeps its input for backward, Sigmoid its output; neither runs
// in place, so the tensor before them is never overwritten.
#pragma once

#include "kernels/activation.h"
#include "layers/module.h"

namespace ctcscope {

class SiLU : public Module {
 public:
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override { return "SiLU()"; }
  LayerCost cost(const Tensor& x) const override;

 protected:
  void on_mode_change() override { saved_x_ = Tensor(); }

 private:
  Tensor saved_x_;
};

class Sigmoid : public Module {
 public:
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override { return "Sigmoid()"; }
  LayerCost cost(const Tensor& x) const override;

 protected:
  void on_mode_change() override { saved_y_ = Tensor(); }

 private:
  Tensor saved_y_;
};

}  // namespace ctcscope
