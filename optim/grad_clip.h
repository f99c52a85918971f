// Gradient clipping by the global L2 norm, as torch.nn.utils.clip_grad_norm_
// (norm_type=2): total = sqrt(sum over all grads of g^2); when
// coef = max_norm / (total + 1e-6) is below 1 every grad is scaled by coef.
#pragma once

#include <vector>

#include "layers/module.h"

namespace ctcscope {

// Returns the total norm before clipping. Parameters without a grad are
// skipped. CPU tensors (f32 or f64); the sum is taken in double.
double clip_grad_norm(const std::vector<Named<Parameter>>& params, double max_norm);
double clip_grad_norm(const std::vector<Parameter*>& params, double max_norm);

}  // namespace ctcscope
