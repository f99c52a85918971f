// Shared test helpers: closeness with named tolerances and a useful failure
// message, central finite differences in double precision, the GPU skip, and
// a fresh folder per test.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
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

namespace ctcscope::test {

// Copies for CUDA-vs-twin tests.
inline Tensor to_gpu(const Tensor& t) { return t.to_device(Device::cuda); }
inline Tensor to_host(const Tensor& t) { return t.to_device(Device::cpu); }

// Why GPU tests cannot run here ("this build has no CUDA backend", or
// "no CUDA device: cudaGetDeviceCount says ..."), or "" when they can.
std::string cuda_skip_reason();

// Normwise relative error max|got - ref| / max|ref| (GPU vs CPU twin, where
// summation order and TF32 make elementwise limits meaningless near zero).
void expect_relative_error(const Tensor& got, const Tensor& ref, double max_relative,
                           const std::string& what = "");

namespace tol {
// GPU in strict fp32 (CUDNN_FMA_MATH, CUBLAS_COMPUTE_32F) against the CPU twin:
// the same fp32 math summed in another order.
inline constexpr double kGpuStrictFp32Relative = 1e-5;
// GPU with TF32 tensor cores (10-bit mantissa inputs) against the fp32 twin.
inline constexpr double kGpuTf32Relative = 3e-3;
}  // namespace tol

// The Python that the torch-reference tests run: $CTC_PYTHON, else
// /usr/bin/python3 (Debian's, with python3-torch). tools/gpu_check.sh points
// it at /opt/torch/.venv/bin/python on the GPU machine.
std::string python();

// The folder under which every test of this process writes:
// $TMPDIR/ctcscope_test_<pid> (ctest runs each test in its own process, in
// parallel). It is removed when the process exits with no test failed, so a
// full run leaves nothing behind (training tests write hundreds of MiB each,
// and CI's disk is not ours to fill); it is kept, and its path printed, when a
// test failed or $CTC_KEEP_TEST_DIRS is set, for the post-mortem.
std::filesystem::path scratch_root();

// An empty folder under scratch_root() named after the running test, made
// anew on each call.
std::string fresh_test_dir(const std::string& prefix);

}  // namespace ctcscope::test

// Skips the test, with the reason, unless this build has the CUDA backend
// and a GPU answers at run time.
#define CTC_REQUIRE_CUDA()                                                     \
  do {                                                                         \
    const std::string ctc_skip_reason_ = ::ctcscope::test::cuda_skip_reason(); \
    if (!ctc_skip_reason_.empty()) {                                           \
      GTEST_SKIP() << "needs a CUDA GPU: " << ctc_skip_reason_;                \
    }                                                                          \
  } while (0)
