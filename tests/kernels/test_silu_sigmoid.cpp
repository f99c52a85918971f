// SiLU and sigmoid on the CPU: backward against central differences (f64),
// forward values against closed forms at extreme inputs (no overflow), in place.
#include <cmath>

#include "kernels/activation.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(SiluCpu, Backward_MatchesFiniteDifferences) {
  const Shape shape{2, 3, 5, 7};
  Tensor x = random_normal(shape, Seed{"silu.x"}, 0.0, 3.0, DType::f64);
  Tensor r = random_normal(shape, Seed{"silu.r"}, 0.0, 1.0, DType::f64);
  Tensor y = Tensor::empty(shape, DType::f64);
  Tensor dx = Tensor::full(shape, NAN, DType::f64);
  silu_backward(r, x, dx);
  Tensor numeric = test::numeric_gradient(x, [&] {
    silu_forward(x, y);
    return test::dot(y, r);
  });
  expect_close(dx, numeric, tol::kFiniteDiff, "silu dx");
}

TEST(SigmoidCpu, Backward_MatchesFiniteDifferences) {
  const Shape shape{3, 2, 3, 9};
  Tensor x = random_normal(shape, Seed{"sigmoid.x"}, 0.0, 3.0, DType::f64);
  Tensor r = random_normal(shape, Seed{"sigmoid.r"}, 0.0, 1.0, DType::f64);
  Tensor y = Tensor::empty(shape, DType::f64);
  sigmoid_forward(x, y);
  Tensor dx = Tensor::full(shape, NAN, DType::f64);
  sigmoid_backward(r, y, dx);
  Tensor numeric = test::numeric_gradient(x, [&] {
    sigmoid_forward(x, y);
    return test::dot(y, r);
  });
  expect_close(dx, numeric, tol::kFiniteDiff, "sigmoid dx");
}

TEST(SiluSigmoidCpu, Forward_ExtremeInputsStayFinite) {
  Tensor x = Tensor::from_vector(std::vector<float>{-1000.f, -20.f, 0.f, 1.f, 20.f, 1000.f}, {6});
  Tensor s = Tensor::empty({6}), y = Tensor::empty({6});
  sigmoid_forward(x, s);
  silu_forward(x, y);
  for (int i = 0; i < 6; ++i) {
    const double v = x.item(i), ref = 1.0 / (1.0 + std::exp(-v));
    EXPECT_NEAR(s.item(i), ref, 1e-7) << v;
    EXPECT_NEAR(y.item(i), v * ref, 1e-6 * std::max(1.0, std::fabs(v))) << v;
  }
}

TEST(SiluCpu, InPlaceForwardAndBackward) {
  const Shape shape{2, 3, 4, 5};
  Tensor x = random_normal(shape, Seed{"silu.inplace.x"});
  Tensor dy = random_normal(shape, Seed{"silu.inplace.dy"});
  Tensor y = Tensor::empty(shape), dx = Tensor::empty(shape);
  silu_forward(x, y);
  silu_backward(dy, x, dx);
  Tensor xi = x.clone(), dyi = dy.clone();
  silu_backward(dyi, xi, dyi);
  silu_forward(xi, xi);
  expect_close(xi, y, tol::kDouble, "in-place forward");
  expect_close(dyi, dx, tol::kDouble, "in-place backward");
}

TEST(SiluCpu, Errors) {
  Tensor x = Tensor::zeros({2, 3});
  Tensor y = Tensor::zeros({3, 2});
  test::expect_error_containing([&] { silu_forward(x, y); }, "y");
}

}  // namespace
}  // namespace ctcscope
