// Dropout (torch.nn.Dropout) and StochasticDepth (torchvision.ops.
// StochasticDepth, mode "row"): random in training mode, the identity in
// eval mode. Each training forward draws from Seed{purpose, step, seed} and
// advances step, so a run's masks depend only on the seed and the step count.
#pragma once

#include "kernels/dropout.h"
#include "layers/module.h"

namespace ctcscope {

class Dropout : public Module {
 public:
  explicit Dropout(double p, Seed seed = Seed{"dropout"});
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

  void set_seed(const Seed& seed) { seed_ = seed; }
  double p() const { return p_; }

 protected:
  void on_mode_change() override { saved_mask_ = Tensor(); }
  void on_set_random_draws(std::uint64_t draws) override { seed_.index = draws; }

 private:
  double p_;
  Seed seed_;  // index = the next draw
  Tensor saved_mask_;
  bool identity_ = false;  // the last forward passed x through (eval mode or p == 0): so does backward
};

class StochasticDepth : public Module {
 public:
  explicit StochasticDepth(double p, Seed seed = Seed{"stochastic_depth"});
  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  LayerCost cost(const Tensor& x) const override;

  void set_seed(const Seed& seed) { seed_ = seed; }
  double p() const { return p_; }

 protected:
  void on_mode_change() override { saved_mask_ = Tensor(); }
  void on_set_random_draws(std::uint64_t draws) override { seed_.index = draws; }

 private:
  double p_;
  Seed seed_;  // index = the next draw
  Tensor saved_mask_;  // [N]; undefined when the forward was the identity
  bool identity_ = false;
};

}  // namespace ctcscope
