// Linear on the GPU (cuBLAS, row-major by swapped operands) against the CPU
// twin in strict fp32 and TF32; dw and db accumulate; no-bias case.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/linear.h"
#include "tests/support/gpu_math_scope.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

void compare(const GpuMath& math, double tol, bool with_bias) {
  test::GpuMathScope scope(math);
  const std::int64_t N = 7, I = 33, O = 5;
  Tensor x = random_normal({N, I}, Seed{"linear.cuda.x"});
  Tensor w = random_normal({O, I}, Seed{"linear.cuda.w"});
  Tensor b = with_bias ? random_normal({O}, Seed{"linear.cuda.b"}) : Tensor();
  Tensor dy = random_normal({N, O}, Seed{"linear.cuda.dy"});
  Tensor dw0 = random_normal({O, I}, Seed{"linear.cuda.dw0"});
  Tensor db0 = with_bias ? random_normal({O}, Seed{"linear.cuda.db0"}) : Tensor();

  Tensor y_c = Tensor::empty({N, O}), dx_c = Tensor::empty({N, I}), dw_c = dw0.clone();
  Tensor db_c = with_bias ? db0.clone() : Tensor();
  linear_forward(x, w, b, y_c);
  linear_backward_data(dy, w, dx_c);
  linear_backward_weight(dy, x, dw_c, db_c);

  Tensor xg = test::to_gpu(x), wg = test::to_gpu(w), dyg = test::to_gpu(dy);
  Tensor bg = with_bias ? test::to_gpu(b) : Tensor();
  Tensor y_g = Tensor::empty({N, O}, DType::f32, Device::cuda);
  Tensor dx_g = Tensor::full({N, I}, NAN).to_device(Device::cuda);
  Tensor dw_g = test::to_gpu(dw0);
  Tensor db_g = with_bias ? test::to_gpu(db0) : Tensor();
  linear_forward(xg, wg, bg, y_g);
  linear_backward_data(dyg, wg, dx_g);
  linear_backward_weight(dyg, xg, dw_g, db_g);

  test::expect_relative_error(test::to_host(y_g), y_c, tol, "y");
  test::expect_relative_error(test::to_host(dx_g), dx_c, tol, "dx");
  test::expect_relative_error(test::to_host(dw_g), dw_c, tol, "dw (accumulated)");
  if (with_bias) {
    test::expect_relative_error(test::to_host(db_g), db_c, test::tol::kGpuStrictFp32Relative,
                                "db (accumulated)");
  }
}

TEST(LinearCuda, MatchesCpuStrictFp32) {
  CTC_REQUIRE_CUDA();
  compare(test::kStrict, test::tol::kGpuStrictFp32Relative, true);
  compare(test::kStrict, test::tol::kGpuStrictFp32Relative, false);
}

TEST(LinearCuda, MatchesCpuTf32) {
  CTC_REQUIRE_CUDA();
  compare(test::kTf32, test::tol::kGpuTf32Relative, true);
}

}  // namespace
}  // namespace ctcscope
