// add and add_inplace on the CPU: values, every aliasing the residual path
// uses (y is a, y is b, x is y), the chunked parallel path, and errors.
#include <cmath>
#include <functional>
#include <string>

#include "kernels/elementwise.h"
#include "kernels/reference/reference.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

// Shapes: a tiny odd one (one chunk) and one of several chunks with a partial tail.
const std::vector<Shape> kShapes = {{2, 3, 5, 7}, {3, 7, 61, 59}};

TEST(AddCpu, MatchesReference_AndAliasing) {
  for (const Shape& shape : kShapes) {
    for (DType dtype : {DType::f32, DType::f64}) {
      SCOPED_TRACE(shape_str(shape) + " " + dtype_name(dtype));
      Tensor a = random_normal(shape, Seed{"add.a"}, 0.0, 1.0, dtype);
      Tensor b = random_normal(shape, Seed{"add.b"}, 0.0, 1.0, dtype);
      // The f32 sum is the exact sum rounded once.
      const test::Tolerance t = dtype == DType::f32 ? test::Tolerance{0, 1.2e-7} : tol::kDouble;
      const Tensor ref = reference::add(a, b);
      Tensor y = Tensor::full(shape, NAN, dtype);
      add(a, b, y);
      expect_close(y, ref, t, "y = a + b");
      Tensor a2 = a.clone(), b2 = b.clone();
      add(a2, b, a2);
      expect_close(a2, ref, t, "y is a");
      add(a, b2, b2);
      expect_close(b2, ref, t, "y is b");
      Tensor acc = b.clone();
      add_inplace(a, acc);
      expect_close(acc, ref, t, "add_inplace");
      Tensor self = a.clone();
      add_inplace(self, self);
      expect_close(self, reference::add(a, a), t, "add_inplace with x is y");
    }
  }
}

// add has no backward of its own: the gradient of dot(a + b, r) by a and by
// b is r, which the residual block passes to both branches.
TEST(AddCpu, GradientIsTheIdentity_FiniteDifferences) {
  const Shape shape = {2, 3, 5, 7};
  Tensor a = random_normal(shape, Seed{"add.fd.a"}, 0.0, 1.0, DType::f64);
  Tensor b = random_normal(shape, Seed{"add.fd.b"}, 0.0, 1.0, DType::f64);
  Tensor r = random_normal(shape, Seed{"add.fd.r"}, 0.0, 1.0, DType::f64);
  Tensor y = Tensor::empty(shape, DType::f64);
  auto f = [&] {
    add(a, b, y);
    return test::dot(y, r);
  };
  expect_close(test::numeric_gradient(a, f), r, tol::kFiniteDiff, "da");
  expect_close(test::numeric_gradient(b, f), r, tol::kFiniteDiff, "db");
}

TEST(AddCpu, Errors_NameTheArgument) {
  Tensor a = Tensor::zeros({2, 3}), b = Tensor::zeros({2, 3});
  Tensor wrong = Tensor::zeros({3, 2});
  test::expect_error_containing([&] { add(a, wrong, b); }, "add: b has shape [3,2], expected [2,3]");
  test::expect_error_containing([&] { add(a, b, wrong); }, "add: y has shape");
  Tensor b64 = Tensor::zeros({2, 3}, DType::f64);
  test::expect_error_containing([&] { add(a, b64, a); }, "add: b is f64");
  test::expect_error_containing([&] { add_inplace(a, wrong); }, "add_inplace: y has shape");
  Tensor undefined;
  test::expect_error_containing([&] { add_inplace(undefined, a); }, "add_inplace: x is undefined");
}

}  // namespace
}  // namespace ctcscope
