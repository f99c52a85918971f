// ReLU and elementwise add on the GPU against the CPU twins: identical bits,
// NaN kept by ReLU as on the CPU.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/activation.h"
#include "kernels/elementwise.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(ActivationCuda, ReluMatchesCpuBitForBit) {
  CTC_REQUIRE_CUDA();
  const Shape s{3, 5, 7, 9};
  Tensor x = random_normal(s, Seed{"relu.cuda.x"});
  x.data<float>()[4] = NAN;
  Tensor dy = random_normal(s, Seed{"relu.cuda.dy"});
  Tensor y_c = Tensor::empty(s), dx_c = Tensor::empty(s);
  relu_forward(x, y_c);
  relu_backward(dy, y_c, dx_c);
  Tensor y_g = Tensor::empty(s, DType::f32, Device::cuda);
  Tensor dx_g = Tensor::empty(s, DType::f32, Device::cuda);
  relu_forward(test::to_gpu(x), y_g);
  relu_backward(test::to_gpu(dy), y_g, dx_g);
  test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
  test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
}

TEST(ElementwiseCuda, AddMatchesCpuBitForBit) {
  CTC_REQUIRE_CUDA();
  const Shape s{1001, 3};
  Tensor a = random_normal(s, Seed{"add.cuda.a"});
  Tensor b = random_normal(s, Seed{"add.cuda.b"});
  Tensor y_c = Tensor::empty(s);
  add(a, b, y_c);
  Tensor acc_c = a.clone();
  add_inplace(b, acc_c);
  Tensor ag = test::to_gpu(a), bg = test::to_gpu(b);
  Tensor y_g = Tensor::empty(s, DType::f32, Device::cuda);
  add(ag, bg, y_g);
  add_inplace(bg, ag);  // ag += bg
  test::expect_close(test::to_host(y_g), y_c, {0, 0}, "add");
  test::expect_close(test::to_host(ag), acc_c, {0, 0}, "add_inplace");
}

}  // namespace
}  // namespace ctcscope
