// AdamW over a model's named parameters, as torch.optim.AdamW (amsgrad=False):
// per-parameter state exp_avg / exp_avg_sq, created as zeros on first use,
// and one step count shared by all parameters. The update itself is the
// kernel adamw_step (kernels/adamw.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/module.h"

namespace ctcscope {

struct AdamWOptions {
  double lr = 1e-3;  // torch.optim.AdamW defaults
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

class AdamW {
 public:
  // params: usually module.named_parameters(); the parameters must outlive
  // the optimizer. Names must be unique.
  explicit AdamW(std::vector<Named<Parameter>> params, AdamWOptions options = {});

  // Increments the step count, then updates every parameter whose grad is
  // defined (torch skips parameters without a gradient the same way).
  void step();

  double lr() const { return options_.lr; }
  void set_lr(double lr);
  const AdamWOptions& options() const { return options_; }

  // Steps taken so far; the next step() uses step_count() + 1.
  std::int64_t step_count() const { return step_count_; }
  // For resuming from a checkpoint, together with copying into state().
  void set_step_count(std::int64_t steps);

  // The state tensors by name, in parameter order: "<param>.exp_avg" then
  // "<param>.exp_avg_sq" for each parameter ("layer1.0.conv1.weight.exp_avg").
  // Creates any state not created yet (zeros), so the list is always complete
  // and a checkpoint loader can copy into the tensors it points to.
  std::vector<Named<Tensor>> state();

 private:
  struct Slot {
    std::string name;
    Parameter* param;
    Tensor exp_avg;     // undefined until first used
    Tensor exp_avg_sq;
  };
  void ensure_state(Slot& slot);

  std::vector<Slot> slots_;
  AdamWOptions options_;
  std::int64_t step_count_ = 0;
};

}  // namespace ctcscope
