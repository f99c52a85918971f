// What one call of a layer costs, counted from its input: the floating-point
// operations its formula needs and the bytes it must move at the least (each
// tensor it reads or writes, once). The profiler divides measured time by
// these to give GFLOP/s and GB/s; each layer's cost() states its formulas.
#pragma once

#include "tensor/tensor.h"

namespace ctcscope {

struct LayerCost {
  double forward_flops = 0, backward_flops = 0;
  double forward_bytes = 0, backward_bytes = 0;
};

// A layer that treats each element of x alike: flops per element each way,
// and how many tensors of x's size each way reads or writes.
inline LayerCost elementwise_cost(const Tensor& x, double forward_flops, double backward_flops,
                                  double forward_tensors, double backward_tensors) {
  const double n = static_cast<double>(x.numel()), bytes = static_cast<double>(x.nbytes());
  return {n * forward_flops, n * backward_flops, bytes * forward_tensors, bytes * backward_tensors};
}

}  // namespace ctcscope
