// The twin-check harness: one table of kernel checks instead of a
// hand-written file per op. Each row names an op and a case, makes seeded
// f64 inputs, runs the op through its entry point (kernels/<op>.h, which
// dispatches on the tensors' device) and computes the same outputs with the
// plain reference (kernels/reference/). check_twin holds one row's outputs
// against the reference on the CPU in f64 and f32, or on the GPU in strict
// fp32. A new op is a new row (tests/kernels/test_twins.cpp).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "tensor/tensor.h"
#include "tests/support/gpu_math_scope.h"
#include "tests/support/test_util.h"

namespace ctcscope::test {

using Tensors = std::vector<Tensor>;

struct TwinRow {
  std::string name;                                // "conv2d_forward_3x3_stride2": a gtest name
  std::function<Tensors()> inputs;                 // f64 (labels: i64) on the CPU, seeded
  std::function<Tensors(const Tensors&)> run;      // the entry point; outputs on the inputs' device and dtype
  std::function<Tensors(const Tensors&)> reference;  // kernels/reference/, f64
  std::vector<std::string> outputs;                // the outputs' names, for messages
};

// gtest prints a row by its name (not its bytes) in test names and failures.
inline void PrintTo(const TwinRow& row, std::ostream* os) { *os << row.name; }

namespace tol {
// fp32 kernels against the double reference, normwise: the rows sum at most
// a few hundred products of unit normals, so fp32 rounding stays near 1e-6.
inline constexpr double kF32AgainstDoubleReference = 1e-5;
}  // namespace tol

enum class TwinRun { cpu_f64, cpu_f32, cuda_strict_f32 };

// An output the op writes, zero-filled, like `like` (dtype and device) with `shape`.
inline Tensor output_like(const Tensor& like, const Shape& shape, DType dtype) {
  return Tensor::zeros(shape, dtype, like.device());
}
inline Tensor output_like(const Tensor& like, const Shape& shape) { return output_like(like, shape, like.dtype()); }

inline void check_twin(const TwinRow& row, TwinRun how) {
  const Tensors inputs64 = row.inputs();
  Tensors inputs;
  for (const Tensor& t : inputs64) {
    if (!t.defined()) {
      inputs.push_back(t);
      continue;
    }
    // Integer inputs (labels) keep their dtype; only the f64 values become f32.
    Tensor u = how == TwinRun::cpu_f64 || t.dtype() != DType::f64 ? t : t.to(DType::f32);
    inputs.push_back(how == TwinRun::cuda_strict_f32 ? u.to_device(Device::cuda) : u);
  }
  GpuMathScope strict(kStrict);
  const Tensors got = row.run(inputs);
  // The reference sees the inputs the op saw (f32-rounded where it ran in f32).
  Tensors seen;
  for (const Tensor& t : inputs) seen.push_back(t.defined() ? t.to_device(Device::cpu) : t);
  const Tensors want = row.reference(seen);
  ASSERT_EQ(got.size(), want.size()) << row.name;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const Tensor g = got[k].to_device(Device::cpu);
    const std::string what = row.name + " " + row.outputs[k];
    if (g.dtype() == DType::i32 || g.dtype() == DType::i64) {  // indices: exact
      EXPECT_EQ(g.to_double_vector(), want[k].to_double_vector()) << what;
    } else if (how == TwinRun::cpu_f64) {
      expect_close(g, want[k], tol::kDouble, what);
    } else {
      expect_relative_error(g.to(DType::f64), want[k], tol::kF32AgainstDoubleReference, what);
    }
  }
}

}  // namespace ctcscope::test
