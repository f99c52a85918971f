// Dropout and stochastic depth on the CPU: masks of 0 and 1/(1-p) at the
// expected rate, the same mask for the same seed and another for the next
// index, whole samples dropped by stochastic depth, backward against
// central differences (f64, the mask held fixed), p = 0 and p = 1.
#include <cmath>

#include "kernels/dropout.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(DropoutCpu, MaskRateScaleAndSeeding) {
  const Shape shape{4, 8, 16, 16};
  const double p = 0.3;
  Tensor x = Tensor::full(shape, 1.0);
  Tensor y = Tensor::empty(shape), mask = Tensor::empty(shape);
  dropout_forward(x, p, Seed{"dropout.test", 0}, y, mask);
  std::int64_t kept = 0;
  for (double v : y.to_double_vector()) {
    ASSERT_TRUE(v == 0.0 || std::fabs(v - 1.0 / (1.0 - p)) < 1e-6) << v;
    kept += v != 0.0;
  }
  const double rate = double(kept) / double(x.numel());
  EXPECT_NEAR(rate, 1 - p, 0.01);
  Tensor y2 = Tensor::empty(shape), m2 = Tensor::empty(shape);
  dropout_forward(x, p, Seed{"dropout.test", 0}, y2, m2);
  EXPECT_EQ(y.to_double_vector(), y2.to_double_vector()) << "same seed, same mask";
  dropout_forward(x, p, Seed{"dropout.test", 1}, y2, m2);
  EXPECT_NE(y.to_double_vector(), y2.to_double_vector()) << "next index, another mask";
}

TEST(DropoutCpu, Backward_MatchesFiniteDifferences) {
  const Shape shape{2, 3, 4, 5};
  Tensor x = random_normal(shape, Seed{"dropout.g.x"}, 0, 1, DType::f64);
  Tensor r = random_normal(shape, Seed{"dropout.g.r"}, 0, 1, DType::f64);
  Tensor y = Tensor::empty(shape, DType::f64), mask = Tensor::empty(shape, DType::f64);
  const Seed seed{"dropout.g", 3};
  dropout_forward(x, 0.4, seed, y, mask);
  Tensor dx = Tensor::full(shape, NAN, DType::f64);
  dropout_backward(r, mask, dx);
  Tensor numeric = test::numeric_gradient(x, [&] {
    dropout_forward(x, 0.4, seed, y, mask);
    return test::dot(y, r);
  });
  expect_close(dx, numeric, tol::kFiniteDiff, "dx");
}

TEST(DropoutCpu, PZeroIsIdentity_POneDropsAll) {
  Tensor x = random_normal({3, 7}, Seed{"dropout.edge"});
  Tensor y = Tensor::empty({3, 7}), mask = Tensor::empty({3, 7});
  dropout_forward(x, 0.0, Seed{"d"}, y, mask);
  expect_close(y, x, tol::kDouble, "p=0");
  dropout_forward(x, 1.0, Seed{"d"}, y, mask);
  for (double v : y.to_double_vector()) EXPECT_EQ(v, 0.0);
  test::expect_error_containing([&] { dropout_forward(x, 1.5, Seed{"d"}, y, mask); }, "p must be");
}

TEST(StochasticDepthCpu, DropsWholeSamplesAtTheRate) {
  const std::int64_t n = 2000;
  const double p = 0.2;
  Tensor x = Tensor::full({n, 2, 3, 3}, 1.0);
  Tensor y = Tensor::empty(x.shape()), mask = Tensor::empty({n});
  stochastic_depth_forward(x, p, Seed{"sd.test"}, y, mask);
  std::int64_t kept = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    const double m = mask.item(i);
    ASSERT_TRUE(m == 0.0 || std::fabs(m - 1.0 / (1.0 - p)) < 1e-6) << m;
    kept += m != 0.0;
    for (std::int64_t k = 0; k < 18; ++k) ASSERT_FLOAT_EQ(float(y.item(i * 18 + k)), float(m)) << i;
  }
  EXPECT_NEAR(double(kept) / n, 1 - p, 0.03);
}

TEST(StochasticDepthCpu, Backward_MatchesFiniteDifferences) {
  const Shape shape{6, 3, 4, 5};
  Tensor x = random_normal(shape, Seed{"sd.g.x"}, 0, 1, DType::f64);
  Tensor r = random_normal(shape, Seed{"sd.g.r"}, 0, 1, DType::f64);
  Tensor y = Tensor::empty(shape, DType::f64), mask = Tensor::empty({6}, DType::f64);
  const Seed seed{"sd.g", 5};
  stochastic_depth_forward(x, 0.5, seed, y, mask);
  Tensor dx = Tensor::full(shape, NAN, DType::f64);
  stochastic_depth_backward(r, mask, dx);
  Tensor numeric = test::numeric_gradient(x, [&] {
    stochastic_depth_forward(x, 0.5, seed, y, mask);
    return test::dot(y, r);
  });
  expect_close(dx, numeric, tol::kFiniteDiff, "dx");
}

}  // namespace
}  // namespace ctcscope
