// ReLU. In place (as torchvision's ReLU(inplace=True)) it overwrites its
// input and, in backward, the incoming gradient: use it only where the
// input is not kept by the layer before it (after BatchNorm or an add).
#pragma once

#include "kernels/activation.h"
#include "layers/module.h"

namespace ctcscope {

class ReLU : public Module {
 public:
  explicit ReLU(bool inplace = false) : inplace_(inplace) {}

  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override { return inplace_ ? "ReLU(inplace)" : "ReLU()"; }
  LayerCost cost(const Tensor& x) const override;

 protected:
  void on_mode_change() override { saved_y_ = Tensor(); }

 private:
  bool inplace_;
  Tensor saved_y_;  // the output: its sign is the mask
};

}  // namespace ctcscope
