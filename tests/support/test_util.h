// Shared test helpers: closeness with named tolerances and a useful failure
// message, central finite differences in double precision, and the GPU skip.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "tensor/random.h"
#include "tensor/tensor.h"

namespace ctcscope::test {

// |got - ref| <= atol + rtol * |ref|, element by element.
struct Tolerance {
  double atol;
  double rtol;
};

namespace tol {
// Same math in fp32 on two code paths (summation order differs).
inline constexpr Tolerance kStrictFp32{1e-5, 1e-5};
// A double-precision analytic gradient against a central difference with
// step 1e-6: truncation error O(h^2) and rounding O(1e-16/h) are ~1e-10.
inline constexpr Tolerance kFiniteDiff{1e-7, 1e-6};
// Two double computations of the same formula.
inline constexpr Tolerance kDouble{1e-12, 1e-12};
}  // namespace tol

// Fails the test with the worst element's index (as n,c,h,w for 4-D), both
// values and the share of the limit used.
void expect_close(const Tensor& got, const Tensor& ref, Tolerance tol, const std::string& what = "");

// Central differences of a scalar function f of x, in place on x (restored):
// g_i = (f(x + h e_i) - f(x - h e_i)) / 2h. x must be f64.
Tensor numeric_gradient(Tensor& x, const std::function<double()>& f, double h = 1e-6);

// sum(a * b) in double, for projecting an output onto a random direction.
double dot(const Tensor& a, const Tensor& b);

// f64 normal values kept at least `margin` away from zero, so that ReLU and
// max-pool kinks are not crossed by a finite-difference step.
Tensor random_away_from_zero(const Shape& shape, const Seed& seed, double margin = 0.05);

// Expects `fn` to throw ctcscope::Error whose message contains `needle`
// (an argument's name, a file name, a line number).
void expect_error_containing(const std::function<void()>& fn, const std::string& needle);

}  // namespace ctcscope::test

// Skips the test, with the reason, when no GPU backend or device is present.
#define CTC_REQUIRE_CUDA() GTEST_SKIP() << "needs a CUDA GPU: this build has no CUDA backend"
