// Per-channel convolution bias on the CPU: the add by index and its
// gradient against central differences (f64), accumulated.
#include <cmath>

#include "kernels/bias.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(BiasCpu, AddValuesByIndex) {
  Tensor y = random_normal({2, 3, 2, 5}, Seed{"bias.y"});
  Tensor before = y.clone();
  Tensor b = random_normal({3}, Seed{"bias.b"});
  bias_add_channels(b, y);
  for (std::int64_t i = 0; i < y.numel(); ++i) {
    ASSERT_FLOAT_EQ(static_cast<float>(y.item(i)), static_cast<float>(before.item(i) + b.item((i / 10) % 3)));
  }
}

TEST(BiasCpu, Backward_MatchesFiniteDifferences_AndAccumulates) {
  const Shape shape{3, 4, 3, 5};
  Tensor x = random_normal(shape, Seed{"bias.g.x"}, 0, 1, DType::f64);
  Tensor b = random_normal({4}, Seed{"bias.g.b"}, 0, 1, DType::f64);
  Tensor r = random_normal(shape, Seed{"bias.g.r"}, 0, 1, DType::f64);
  Tensor db = Tensor::zeros({4}, DType::f64);
  bias_backward_channels(r, db);
  Tensor numeric = test::numeric_gradient(b, [&] {
    Tensor y = x.clone();
    bias_add_channels(b, y);
    return test::dot(y, r);
  });
  expect_close(db, numeric, tol::kFiniteDiff, "db");
  bias_backward_channels(r, db);
  Tensor twice = numeric.clone();
  for (std::int64_t i = 0; i < 4; ++i) twice.data<double>()[i] *= 2;
  expect_close(db, twice, tol::kFiniteDiff, "db accumulated");
}

TEST(BiasCpu, Errors) {
  Tensor y = Tensor::zeros({2, 3, 4, 4}), b = Tensor::zeros({4});
  test::expect_error_containing([&] { bias_add_channels(b, y); }, "b");
}

}  // namespace
}  // namespace ctcscope
