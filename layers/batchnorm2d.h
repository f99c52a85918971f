// BatchNorm2d: parameters "weight" (gamma) and "bias" (beta), buffers
// "running_mean", "running_var" and "num_batches_tracked", as PyTorch.
// Training mode normalises with batch statistics and updates the running
// ones; eval mode uses the running statistics and caches nothing.
#pragma once

#include "kernels/batchnorm.h"
#include "layers/module.h"

namespace ctcscope {

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(std::int64_t channels, double eps = 1e-5, double momentum = 0.1);

  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

  Parameter& weight() { return weight_; }
  Parameter& bias() { return bias_; }
  Tensor& running_mean() { return running_mean_; }
  Tensor& running_var() { return running_var_; }
  const BatchNormParams& params() const { return params_; }
  std::int64_t batches_tracked() const;

 protected:
  void on_mode_change() override;

 private:
  std::int64_t channels_;
  BatchNormParams params_;
  Parameter& weight_;
  Parameter& bias_;
  Tensor& running_mean_;
  Tensor& running_var_;
  Tensor& num_batches_tracked_;
  Tensor saved_x_, saved_mean_, saved_invstd_;
};

}  // namespace ctcscope
