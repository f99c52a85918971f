// ReLU on the CPU: the backward against central differences (f64) with inputs
// kept away from the kink, in-place forward and backward, NaN behaviour,
// the chunked parallel path on a large odd-sized tensor, and errors.
#include <cmath>
#include <functional>
#include <string>

#include "kernels/activation.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(ReluCpu, Backward_MatchesFiniteDifferences) {
  for (const Shape& shape : {Shape{2, 3, 5, 7}, Shape{3, 2, 3, 9}, Shape{17}}) {
    SCOPED_TRACE(shape_str(shape));
    Tensor x = test::random_away_from_zero(shape, Seed{"relu.x"});
    Tensor r = random_normal(shape, Seed{"relu.r"}, 0.0, 1.0, DType::f64);
    Tensor y = Tensor::empty(shape, DType::f64);
    relu_forward(x, y);
    Tensor dx = Tensor::full(shape, NAN, DType::f64);
    relu_backward(r, y, dx);
    Tensor numeric = test::numeric_gradient(x, [&] {
      relu_forward(x, y);
      return test::dot(y, r);
    });
    expect_close(dx, numeric, tol::kFiniteDiff, "dx");
  }
}

TEST(ReluCpu, Forward_ValuesAndNaN) {
  Tensor x = Tensor::from_vector(std::vector<double>{-2, -0.0, 0.0, 3.5, NAN, -INFINITY, INFINITY}, {7});
  Tensor y = Tensor::empty({7}, DType::f64);
  relu_forward(x, y);
  const double expected[] = {0, 0, 0, 3.5, NAN, 0, INFINITY};
  for (int i = 0; i < 7; ++i) {
    if (std::isnan(expected[i])) {
      EXPECT_TRUE(std::isnan(y.item(i))) << "torch.relu keeps NaN";
    } else {
      EXPECT_EQ(y.item(i), expected[i]) << i;
    }
  }
}

// Large and odd so that several chunks run, the last one partial.
TEST(ReluCpu, InPlace_ForwardAndBackward_OnLargeTensor) {
  const Shape shape = {3, 5, 101, 97};
  Tensor x = random_normal(shape, Seed{"relu.big.x"});
  Tensor dy = random_normal(shape, Seed{"relu.big.dy"});
  Tensor y_ref = Tensor::empty(shape), dx_ref = Tensor::empty(shape);
  relu_forward(x, y_ref);
  relu_backward(dy, y_ref, dx_ref);
  for (std::int64_t i = 0; i < x.numel(); i += 997) {
    ASSERT_EQ(y_ref.item(i), x.item(i) > 0 ? x.item(i) : 0.0) << i;
    ASSERT_EQ(dx_ref.item(i), x.item(i) > 0 ? dy.item(i) : 0.0) << i;
  }
  relu_forward(x, x);  // y is x
  expect_close(x, y_ref, {0, 0}, "relu_forward in place");
  relu_backward(dy, x, dy);  // dx is dy
  expect_close(dy, dx_ref, {0, 0}, "relu_backward in place");
}

TEST(ReluCpu, F32MatchesF64Exactly) {
  const Shape shape = {2, 3, 5, 7};
  Tensor x32 = random_normal(shape, Seed{"relu.f32"});
  Tensor dy32 = random_normal(shape, Seed{"relu.f32.dy"});
  Tensor y32 = Tensor::empty(shape), dx32 = Tensor::empty(shape);
  Tensor x64 = x32.to(DType::f64), dy64 = dy32.to(DType::f64);
  Tensor y64 = Tensor::empty(shape, DType::f64), dx64 = Tensor::empty(shape, DType::f64);
  relu_forward(x32, y32);
  relu_backward(dy32, y32, dx32);
  relu_forward(x64, y64);
  relu_backward(dy64, y64, dx64);
  // A selection of f32 values is exact in f64.
  expect_close(y32, y64, {0, 0}, "y");
  expect_close(dx32, dx64, {0, 0}, "dx");
}

TEST(ReluCpu, Errors_NameTheArgument) {
  Tensor x = Tensor::zeros({2, 3});
  Tensor y_wrong = Tensor::zeros({3, 2});
  test::expect_error_containing([&] { relu_forward(x, y_wrong); }, "relu_forward: y has shape [3,2]");
  Tensor y64 = Tensor::zeros({2, 3}, DType::f64);
  test::expect_error_containing([&] { relu_forward(x, y64); }, "relu_forward: y is f64");
  Tensor dx = Tensor::zeros({2, 3});
  test::expect_error_containing([&] { relu_backward(x, y_wrong, dx); }, "relu_backward: y has shape");
  Tensor undefined;
  test::expect_error_containing([&] { relu_backward(x, x, undefined); }, "dx is undefined");
  Tensor ints = Tensor::zeros({2, 3}, DType::i32);
  test::expect_error_containing([&] { relu_forward(ints, ints); }, "x is i32");
}

}  // namespace
}  // namespace ctcscope
