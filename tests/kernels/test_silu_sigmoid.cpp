// SiLU and sigmoid on the CPU: backward against central differences (f64),
// forward values against closed forms at extreme inputs (no overflow), in place.
#include <cmath>

#include "kernels/activation.h"
#include "kernels/cpu/exp_simd.h"
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

// The float SiLU and sigmoid run on exp_simd: within 2 ulp of exp (taken in
// double) at 2^20 points spread over its whole range and at both ends.
TEST(ExpSimd, WithinTwoUlpOfExpOverItsRange) {
  constexpr float lo = -87.33654f, hi = 88.37626f;
  constexpr int kPoints = 1 << 20;
  double worst = 0, worst_x = 0;
  for (int i = 0; i <= kPoints; ++i) {
    const float x = i == kPoints ? hi : lo + (hi - lo) * float(i) / kPoints;
    const double ref = std::exp(double(x));
    const double ulp = std::ldexp(1.0, std::ilogb(ref) - 23);
    const double err = std::fabs(double(cpu::exp_simd(x)) - ref) / ulp;
    if (err > worst) worst = err, worst_x = x;
  }
  EXPECT_LE(worst, 2.0) << "at x = " << worst_x;
  EXPECT_TRUE(std::isnan(cpu::exp_simd(NAN)));
  EXPECT_TRUE(std::isfinite(cpu::exp_simd(1000.f)));
  EXPECT_GE(cpu::exp_simd(-1000.f), 0.f);
  EXPECT_LT(cpu::exp_simd(-1000.f), 1.2e-38f);
}

TEST(SiluSigmoidCpu, FloatMatchesDoubleAndKeepsNaN) {
  const Shape shape{3, 5, 7, 11};
  Tensor x = random_normal(shape, Seed{"silu.f32.x"}, 0.0, 6.0);
  Tensor x64 = x.to(DType::f64);
  Tensor y = Tensor::empty(shape), s = Tensor::empty(shape);
  Tensor y64 = Tensor::empty(shape, DType::f64), s64 = Tensor::empty(shape, DType::f64);
  silu_forward(x, y);
  sigmoid_forward(x, s);
  silu_forward(x64, y64);
  sigmoid_forward(x64, s64);
  constexpr test::Tolerance kFewUlp{1e-30, 4e-7};  // exp_simd's 2 ulp, then one division
  expect_close(y.to(DType::f64), y64, kFewUlp, "silu f32");
  expect_close(s.to(DType::f64), s64, kFewUlp, "sigmoid f32");
  Tensor nan = Tensor::full({1}, NAN);
  Tensor out = Tensor::empty({1});
  silu_forward(nan, out);
  EXPECT_TRUE(std::isnan(out.item(0)));
  sigmoid_forward(nan, out);
  EXPECT_TRUE(std::isnan(out.item(0)));
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
