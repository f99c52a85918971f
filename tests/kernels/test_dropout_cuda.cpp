// Dropout and stochastic depth on the GPU against the CPU twins: for the same
// seed the masks are identical (drawn by the same generator), and y and dx
// bit for bit, p = 0, 0.2, 0.5 and 1, odd sizes.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/dropout.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(DropoutCuda, MaskOutputAndGradientMatchCpu) {
  CTC_REQUIRE_CUDA();
  const Shape s{3, 7, 5, 9};
  for (double p : {0.0, 0.2, 0.5, 1.0}) {
    const Seed seed{"dropout.cuda", 3, 11};
    Tensor x = random_normal(s, Seed{"dropout.cuda.x"});
    Tensor dy = random_normal(s, Seed{"dropout.cuda.dy"});
    Tensor y_c = Tensor::empty(s), m_c = Tensor::empty(s), dx_c = Tensor::empty(s);
    dropout_forward(x, p, seed, y_c, m_c);
    dropout_backward(dy, m_c, dx_c);
    Tensor y_g = Tensor::full(s, NAN).to_device(Device::cuda);
    Tensor m_g = Tensor::full(s, NAN).to_device(Device::cuda);
    Tensor dx_g = Tensor::full(s, NAN).to_device(Device::cuda);
    dropout_forward(test::to_gpu(x), p, seed, y_g, m_g);
    dropout_backward(test::to_gpu(dy), m_g, dx_g);
    test::expect_close(test::to_host(m_g), m_c, {0, 0}, "mask");
    test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
    test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
  }
}

TEST(DropoutCuda, StochasticDepthMatchesCpu) {
  CTC_REQUIRE_CUDA();
  const Shape s{13, 3, 5, 7};
  for (double p : {0.0, 0.2, 0.5, 1.0}) {
    const Seed seed{"stochastic_depth.cuda", 5, 2};
    Tensor x = random_normal(s, Seed{"sd.cuda.x"});
    Tensor dy = random_normal(s, Seed{"sd.cuda.dy"});
    Tensor y_c = Tensor::empty(s), m_c = Tensor::empty({13}), dx_c = Tensor::empty(s);
    stochastic_depth_forward(x, p, seed, y_c, m_c);
    stochastic_depth_backward(dy, m_c, dx_c);
    Tensor y_g = test::to_gpu(x);  // in place
    Tensor m_g = Tensor::full({13}, NAN).to_device(Device::cuda);
    Tensor dx_g = test::to_gpu(dy);
    stochastic_depth_forward(y_g, p, seed, y_g, m_g);
    stochastic_depth_backward(dx_g, m_g, dx_g);
    test::expect_close(test::to_host(m_g), m_c, {0, 0}, "mask");
    test::expect_close(test::to_host(y_g), y_c, {0, 0}, "y");
    test::expect_close(test::to_host(dx_g), dx_c, {0, 0}, "dx");
  }
}

}  // namespace
}  // namespace ctcscope
