// Channel concatenation and its split on the CPU: values against the
// reference (kernels/reference/), the split as the exact inverse, the split as
// the gradient of concat (f64 finite differences), and errors.
#include <cmath>

#include "kernels/concat.h"
#include "kernels/reference/reference.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(ConcatCpu, MatchesReference_SplitUndoesIt) {
  Tensor a = random_normal({2, 3, 4, 5}, Seed{"concat.a"});
  Tensor b = random_normal({2, 1, 4, 5}, Seed{"concat.b"});
  Tensor c = random_normal({2, 2, 4, 5}, Seed{"concat.c"});
  Tensor y = Tensor::full({2, 6, 4, 5}, NAN);
  concat_channels({a, b, c}, y);
  expect_close(y, reference::concat_channels({a, b, c}), tol::kDouble, "y");  // a copy: exact
  std::vector<Tensor> parts = {Tensor::full({2, 3, 4, 5}, NAN), Tensor::full({2, 1, 4, 5}, NAN),
                               Tensor::full({2, 2, 4, 5}, NAN)};
  split_channels(y, parts);
  expect_close(parts[0], a, tol::kDouble, "a");
  expect_close(parts[1], b, tol::kDouble, "b");
  expect_close(parts[2], c, tol::kDouble, "c");
}

TEST(ConcatCpu, SplitIsTheGradient_FiniteDifferences) {
  Tensor a = random_normal({3, 2, 3, 5}, Seed{"concat.g.a"}, 0, 1, DType::f64);
  Tensor b = random_normal({3, 3, 3, 5}, Seed{"concat.g.b"}, 0, 1, DType::f64);
  Tensor r = random_normal({3, 5, 3, 5}, Seed{"concat.g.r"}, 0, 1, DType::f64);
  Tensor y = Tensor::empty({3, 5, 3, 5}, DType::f64);
  std::vector<Tensor> d = {Tensor::full(a.shape(), NAN, DType::f64), Tensor::full(b.shape(), NAN, DType::f64)};
  split_channels(r, d);
  auto f = [&] {
    concat_channels({a, b}, y);
    return test::dot(y, r);
  };
  expect_close(d[0], test::numeric_gradient(a, f), tol::kFiniteDiff, "da");
  expect_close(d[1], test::numeric_gradient(b, f), tol::kFiniteDiff, "db");
}

TEST(ConcatCpu, ShapeSumsThePiecesChannels) {
  const Tensor a = Tensor::zeros({2, 3, 4, 5});
  const Tensor b = Tensor::zeros({2, 1, 4, 5});
  EXPECT_EQ(concat_channels_shape({a, b, a}), (Shape{2, 7, 4, 5}));
  EXPECT_EQ(concat_channels_shape({b}), b.shape());
  test::expect_error_containing([] { concat_channels_shape({}); }, "no pieces");
  test::expect_error_containing([] { concat_channels_shape({Tensor::zeros({2, 3})}); }, "[N, C, H, W]");
}

TEST(ConcatCpu, Errors) {
  Tensor a = Tensor::zeros({2, 3, 4, 5});
  Tensor y = Tensor::zeros({2, 4, 4, 5});
  test::expect_error_containing([&] { concat_channels({a}, y); }, "channels");
  Tensor wrong = Tensor::zeros({2, 1, 4, 6});
  test::expect_error_containing([&] { concat_channels({a, wrong}, y); }, "inputs");
  Tensor other = Tensor::zeros({2, 1, 4, 5}, DType::f64);
  test::expect_error_containing([&] { concat_channels({a, other}, y); }, "inputs");
}

}  // namespace
}  // namespace ctcscope
