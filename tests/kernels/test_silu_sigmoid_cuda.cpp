// SiLU and sigmoid on the GPU against the CPU twins: the same formulas, with
// expf on the GPU and std::exp on the CPU (a few ulps apart), so strict fp32
// limits; large |x| included, where a naive sigmoid overflows.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/activation.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

Tensor inputs_with_extremes(const Shape& s, const char* name) {
  Tensor x = random_normal(s, Seed{name});
  float* p = x.data<float>();
  p[0] = 90.0f;
  p[1] = -90.0f;
  p[2] = 0.0f;
  for (std::int64_t i = 3; i < x.numel(); i += 7) p[i] *= 6.0f;
  return x;
}

TEST(SiluSigmoidCuda, SiluMatchesCpu) {
  CTC_REQUIRE_CUDA();
  const Shape s{3, 5, 7, 9};
  Tensor x = inputs_with_extremes(s, "silu.cuda.x");
  Tensor dy = random_normal(s, Seed{"silu.cuda.dy"});
  Tensor y_c = Tensor::empty(s), dx_c = Tensor::empty(s);
  silu_forward(x, y_c);
  silu_backward(dy, x, dx_c);
  Tensor x_g = test::to_gpu(x);
  Tensor y_g = Tensor::full(s, NAN).to_device(Device::cuda);
  Tensor dx_g = Tensor::full(s, NAN).to_device(Device::cuda);
  silu_forward(x_g, y_g);
  silu_backward(test::to_gpu(dy), x_g, dx_g);
  test::expect_close(test::to_host(y_g), y_c, test::tol::kStrictFp32, "y");
  test::expect_close(test::to_host(dx_g), dx_c, test::tol::kStrictFp32, "dx");
}

TEST(SiluSigmoidCuda, SigmoidMatchesCpuInPlace) {
  CTC_REQUIRE_CUDA();
  const Shape s{2, 3, 11, 13};
  Tensor x = inputs_with_extremes(s, "sigmoid.cuda.x");
  Tensor dy = random_normal(s, Seed{"sigmoid.cuda.dy"});
  Tensor y_c = Tensor::empty(s), dx_c = Tensor::empty(s);
  sigmoid_forward(x, y_c);
  sigmoid_backward(dy, y_c, dx_c);
  Tensor y_g = test::to_gpu(x);  // in place, as the layers run it
  sigmoid_forward(y_g, y_g);
  Tensor dx_g = test::to_gpu(dy);
  sigmoid_backward(dx_g, y_g, dx_g);
  test::expect_close(test::to_host(y_g), y_c, test::tol::kStrictFp32, "y");
  test::expect_close(test::to_host(dx_g), dx_c, test::tol::kStrictFp32, "dx");
}

}  // namespace
}  // namespace ctcscope
