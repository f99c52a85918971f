// Linear on the CPU: dx, dw and db against central differences (f64), with
// and without bias; accumulation of dw and db; f32 against f64; errors.
#include <cmath>
#include <functional>
#include <string>

#include "kernels/linear.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

// f32 against f64: each output is a dot product of I = 37 terms of size ~1,
// so the f32 rounding error grows to a few 1e-6 of the largest term.
constexpr test::Tolerance kF32VsF64{2e-5, 1e-5};

constexpr std::int64_t N = 3, I = 37, O = 5;

TEST(LinearCpu, Forward_ByHand) {
  Tensor x = random_normal({N, I}, Seed{"linear.x"}, 0.0, 1.0, DType::f64);
  Tensor w = random_normal({O, I}, Seed{"linear.w"}, 0.0, 1.0, DType::f64);
  Tensor b = random_normal({O}, Seed{"linear.b"}, 0.0, 1.0, DType::f64);
  Tensor y = Tensor::empty({N, O}, DType::f64), ref = Tensor::empty({N, O}, DType::f64);
  linear_forward(x, w, b, y);
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) {
      double s = b.item(o);
      for (std::int64_t i = 0; i < I; ++i) s += x.item(n * I + i) * w.item(o * I + i);
      ref.data<double>()[n * O + o] = s;
    }
  expect_close(y, ref, tol::kDouble, "y");
  linear_forward(x, w, Tensor(), y);  // no bias
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t o = 0; o < O; ++o) ref.data<double>()[n * O + o] -= b.item(o);
  expect_close(y, ref, tol::kDouble, "y without bias");
}

TEST(LinearCpu, Backward_MatchesFiniteDifferences) {
  for (bool bias : {true, false}) {
    SCOPED_TRACE(bias ? "with bias" : "without bias");
    Tensor x = random_normal({N, I}, Seed{"linear.fd.x"}, 0.0, 1.0, DType::f64);
    Tensor w = random_normal({O, I}, Seed{"linear.fd.w"}, 0.0, 1.0, DType::f64);
    Tensor b = bias ? random_normal({O}, Seed{"linear.fd.b"}, 0.0, 1.0, DType::f64) : Tensor();
    Tensor r = random_normal({N, O}, Seed{"linear.fd.r"}, 0.0, 1.0, DType::f64);
    Tensor y = Tensor::empty({N, O}, DType::f64);
    Tensor dx = Tensor::full({N, I}, NAN, DType::f64);
    Tensor dw = Tensor::zeros({O, I}, DType::f64);
    Tensor db = bias ? Tensor::zeros({O}, DType::f64) : Tensor();
    linear_backward_data(r, w, dx);
    linear_backward_weight(r, x, dw, db);
    auto f = [&] {
      linear_forward(x, w, b, y);
      return test::dot(y, r);
    };
    expect_close(dx, test::numeric_gradient(x, f), tol::kFiniteDiff, "dx");
    expect_close(dw, test::numeric_gradient(w, f), tol::kFiniteDiff, "dw");
    if (bias) expect_close(db, test::numeric_gradient(b, f), tol::kFiniteDiff, "db");
  }
}

TEST(LinearCpu, BackwardWeight_Accumulates) {
  Tensor x = random_normal({N, I}, Seed{"linear.acc.x"}, 0.0, 1.0, DType::f64);
  Tensor dy = random_normal({N, O}, Seed{"linear.acc.dy"}, 0.0, 1.0, DType::f64);
  Tensor dw = Tensor::zeros({O, I}, DType::f64), db = Tensor::zeros({O}, DType::f64);
  linear_backward_weight(dy, x, dw, db);
  Tensor dw2 = dw.clone(), db2 = db.clone();
  for (std::int64_t i = 0; i < dw2.numel(); ++i) dw2.data<double>()[i] *= 2;
  for (std::int64_t i = 0; i < db2.numel(); ++i) db2.data<double>()[i] *= 2;
  linear_backward_weight(dy, x, dw, db);
  expect_close(dw, dw2, tol::kDouble, "dw after two backwards");
  expect_close(db, db2, tol::kDouble, "db after two backwards");
}

TEST(LinearCpu, F32AgreesWithF64) {
  Tensor x = random_normal({N, I}, Seed{"linear.f32.x"});
  Tensor w = random_normal({O, I}, Seed{"linear.f32.w"});
  Tensor b = random_normal({O}, Seed{"linear.f32.b"});
  Tensor dy = random_normal({N, O}, Seed{"linear.f32.dy"});
  Tensor y = Tensor::empty({N, O}), dx = Tensor::empty({N, I});
  Tensor dw = Tensor::zeros({O, I}), db = Tensor::zeros({O});
  Tensor y64 = Tensor::empty({N, O}, DType::f64), dx64 = Tensor::empty({N, I}, DType::f64);
  Tensor dw64 = Tensor::zeros({O, I}, DType::f64), db64 = Tensor::zeros({O}, DType::f64);
  linear_forward(x, w, b, y);
  linear_backward_data(dy, w, dx);
  linear_backward_weight(dy, x, dw, db);
  Tensor x64 = x.to(DType::f64), w64 = w.to(DType::f64), dy64 = dy.to(DType::f64);
  linear_forward(x64, w64, b.to(DType::f64), y64);
  linear_backward_data(dy64, w64, dx64);
  linear_backward_weight(dy64, x64, dw64, db64);
  expect_close(y, y64, kF32VsF64, "y");
  expect_close(dx, dx64, kF32VsF64, "dx");
  expect_close(dw, dw64, kF32VsF64, "dw");
  expect_close(db, db64, kF32VsF64, "db");
}

TEST(LinearCpu, Errors_NameTheArgument) {
  Tensor x = Tensor::zeros({N, I}), w = Tensor::zeros({O, I}), b = Tensor::zeros({O});
  Tensor y = Tensor::zeros({N, O});
  Tensor w_wrong = Tensor::zeros({O, I + 1});
  test::expect_error_containing([&] { linear_forward(x, w_wrong, b, y); },
                      "linear_forward: w has shape [5,38], expected [5,37]");
  Tensor b_wrong = Tensor::zeros({O + 1});
  test::expect_error_containing([&] { linear_forward(x, w, b_wrong, y); }, "linear_forward: b has shape");
  Tensor y_wrong = Tensor::zeros({N, O + 1});
  test::expect_error_containing([&] { linear_forward(x, w, b, y_wrong); }, "linear_forward: y has shape");
  Tensor dx_wrong = Tensor::zeros({N, I - 1});
  test::expect_error_containing([&] { linear_backward_data(y, w, dx_wrong); }, "linear_backward_data: dx");
  Tensor dw64 = Tensor::zeros({O, I}, DType::f64);
  test::expect_error_containing([&] { linear_backward_weight(y, x, dw64, b); }, "dw is f64");
  Tensor x_wrong = Tensor::zeros({N + 1, I});
  test::expect_error_containing([&] { linear_backward_weight(y, x_wrong, w, b); },
                      "linear_backward_weight: x has shape");
  Tensor x3 = Tensor::zeros({N, I, 1});
  test::expect_error_containing([&] { linear_forward(x3, w, b, y); }, "x must have 2 dimensions");
}

}  // namespace
}  // namespace ctcscope
