// BatchNorm2d: parameters "weight" (gamma) and "bias" (beta), buffers
// "running_mean", "running_var" and "num_batches_tracked", as PyTorch.
// Training mode normalises with batch statistics and updates the running
// ones; eval mode uses the running statistics and caches nothing.
#pragma once

#include <memory>
#include <optional>

#include "kernels/batchnorm.h"
#include "layers/inference_fusion.h"
#include "layers/module.h"

namespace ctcscope {

class BatchNorm2d : public Module {
 public:
  explicit BatchNorm2d(std::int64_t channels, double eps = 1e-5, double momentum = 0.1);

  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

  // Applies fusion.activation in its own pass in eval mode on the CPU, and
  // makes that layer pass through then (layers/inference_fusion.h; called by
  // fuse_for_inference).
  void fuse_activation(const InferenceFusion& fusion);

  // forward on the channel concatenation of `pieces`: with the fused
  // activation in eval mode on the CPU the pieces are read where they lie
  // (batchnorm2d_forward_infer_act_concat); otherwise the concatenation is
  // built (unless there is one piece) and forward runs on it.
  Tensor forward_concat(const std::vector<Tensor>& pieces);
  // The batch norm and activation this layer applies to x in fused inference
  // now (fuse_for_inference's), or nullopt where it runs as itself.
  std::optional<InferenceBatchNorm> fused_epilogue(const Tensor& x) const;

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
  std::unique_ptr<InferenceFusion> fusion_;
};

}  // namespace ctcscope
