// Sets the GPU math mode for one test and restores the previous one.
#pragma once

#include "kernels/gpu_math.h"

namespace ctcscope::test {

class GpuMathScope {
 public:
  explicit GpuMathScope(GpuMath math) : saved_(gpu_math()) { set_gpu_math(math); }
  ~GpuMathScope() { set_gpu_math(saved_); }
  GpuMathScope(const GpuMathScope&) = delete;
  GpuMathScope& operator=(const GpuMathScope&) = delete;

 private:
  GpuMath saved_;
};

inline constexpr GpuMath kStrict{false, false};
inline constexpr GpuMath kTf32{true, false};
inline constexpr GpuMath kDeterministic{true, true};

}  // namespace ctcscope::test
