// Pooling layers: MaxPool2d, AvgPool2d, and GlobalAvgPool (torch's
// AdaptiveAvgPool2d(1) followed by flatten: [N,C,H,W] -> [N,C]).
#pragma once

#include "kernels/pool.h"
#include "layers/module.h"

namespace ctcscope {

class MaxPool2d : public Module {
 public:
  MaxPool2d(std::int64_t kernel, std::int64_t stride, std::int64_t padding = 0);
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

 protected:
  void on_mode_change() override { saved_indices_ = Tensor(); }

 private:
  Pool2dParams params_;
  Shape saved_x_shape_;
  Tensor saved_indices_;
};

class AvgPool2d : public Module {
 public:
  AvgPool2d(std::int64_t kernel, std::int64_t stride, std::int64_t padding = 0,
            bool count_include_pad = true);
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

 private:
  Pool2dParams params_;
  Shape saved_x_shape_;
};

class GlobalAvgPool : public Module {
 public:
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override { return "GlobalAvgPool()"; }
  LayerCost cost(const Tensor& x) const override;

 private:
  Shape saved_x_shape_;
};

}  // namespace ctcscope
