// BatchNorm2d on the CPU: the backward against central differences (f64) for
// x, gamma and beta; the running statistics and the eval formula against
// values computed by hand here; a PyTorch fixture; f32 against f64; errors.
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "kernels/batchnorm.h"
#include "kernels/cpu/context.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

// f32 against f64 on O(1) values: each f32 input is rounded once (2^-24
// relative) and the statistics are summed in double either way, so outputs
// and gradients agree to a few f32 ulps of their magnitude.
constexpr test::Tolerance kF32VsF64{1e-5, 1e-5};

// Every tensor of one training-mode call, in one dtype.
struct Bn {
  Tensor x, gamma, beta, running_mean, running_var, y, mean, invstd;
  BatchNormParams p;

  Bn(const Shape& shape, const std::string& name, DType dtype = DType::f64) {
    const std::int64_t C = shape[1];
    x = random_normal(shape, Seed{name + ".x"}, 0.3, 1.7, dtype);
    gamma = random_normal({C}, Seed{name + ".gamma"}, 1.0, 0.5, dtype);
    beta = random_normal({C}, Seed{name + ".beta"}, 0.0, 0.5, dtype);
    running_mean = Tensor::zeros({C}, dtype);
    running_var = Tensor::full({C}, 1.0, dtype);
    y = Tensor::empty(shape, dtype);
    mean = Tensor::empty({C}, dtype);
    invstd = Tensor::empty({C}, dtype);
  }
  void forward() {
    batchnorm2d_forward_train(x, gamma, beta, p, running_mean, running_var, y, mean, invstd);
  }
};

const std::vector<Shape> kShapes = {{2, 3, 5, 7}, {3, 2, 3, 9}, {4, 3, 1, 1}};

// Gradient of f = dot(y, r) by `wrt` (one of bn.x, bn.gamma, bn.beta),
// analytic against central differences.
void check_backward(const Shape& shape, const std::string& which) {
  SCOPED_TRACE("shape " + shape_str(shape) + ", gradient by " + which);
  Bn bn(shape, "bn.fd");
  Tensor r = random_normal(shape, Seed{"bn.fd.r"}, 0.0, 1.0, DType::f64);
  bn.forward();
  Tensor dx = Tensor::empty(shape, DType::f64);
  Tensor dgamma = Tensor::zeros({shape[1]}, DType::f64);
  Tensor dbeta = Tensor::zeros({shape[1]}, DType::f64);
  batchnorm2d_backward(r, bn.x, bn.gamma, bn.mean, bn.invstd, BatchNormParams{}, dx, dgamma, dbeta);

  Tensor& wrt = which == "x" ? bn.x : which == "gamma" ? bn.gamma : bn.beta;
  const Tensor& analytic = which == "x" ? dx : which == "gamma" ? dgamma : dbeta;
  Tensor numeric = test::numeric_gradient(wrt, [&] {
    bn.forward();
    return test::dot(bn.y, r);
  });
  expect_close(analytic, numeric, tol::kFiniteDiff, "d" + which);
}

TEST(BatchNormCpu, BackwardX_MatchesFiniteDifferences) {
  for (const Shape& s : kShapes) check_backward(s, "x");
}

TEST(BatchNormCpu, BackwardGamma_MatchesFiniteDifferences) {
  for (const Shape& s : kShapes) check_backward(s, "gamma");
}

TEST(BatchNormCpu, BackwardBeta_MatchesFiniteDifferences) {
  for (const Shape& s : kShapes) check_backward(s, "beta");
}

// Per-channel mean and biased variance of x in plain double loops.
void channel_stats(const Tensor& x, std::vector<double>& mean, std::vector<double>& var) {
  const std::int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  mean.assign(C, 0.0);
  var.assign(C, 0.0);
  for (std::int64_t c = 0; c < C; ++c) {
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i) mean[c] += x.item((n * C + c) * HW + i);
    mean[c] /= static_cast<double>(N * HW);
    for (std::int64_t n = 0; n < N; ++n)
      for (std::int64_t i = 0; i < HW; ++i) {
        const double d = x.item((n * C + c) * HW + i) - mean[c];
        var[c] += d * d;
      }
    var[c] /= static_cast<double>(N * HW);
  }
}

TEST(BatchNormCpu, ForwardTrain_OutputAndSavedStatsByHand) {
  Bn bn({2, 3, 5, 7}, "bn.hand");
  bn.forward();
  std::vector<double> mean, var;
  channel_stats(bn.x, mean, var);
  const std::int64_t C = 3, HW = 35;
  Tensor y_ref = Tensor::empty(bn.x.shape(), DType::f64);
  Tensor mean_ref = Tensor::from_vector(mean, {C});
  Tensor invstd_ref = Tensor::empty({C}, DType::f64);
  for (std::int64_t c = 0; c < C; ++c) invstd_ref.data<double>()[c] = 1 / std::sqrt(var[c] + 1e-5);
  for (std::int64_t i = 0; i < bn.x.numel(); ++i) {
    const std::int64_t c = (i / HW) % C;
    y_ref.data<double>()[i] = (bn.x.item(i) - mean[c]) * invstd_ref.item(c) * bn.gamma.item(c) +
                              bn.beta.item(c);
  }
  expect_close(bn.mean, mean_ref, tol::kDouble, "saved_mean");
  expect_close(bn.invstd, invstd_ref, tol::kDouble, "saved_invstd");
  expect_close(bn.y, y_ref, tol::kDouble, "y");
}

// running = (1 - 0.1) * running + 0.1 * batch, variance unbiased (M/(M-1)),
// after two steps from PyTorch's initial (0, 1).
TEST(BatchNormCpu, RunningStatsAfterTwoTrainingSteps) {
  Bn bn({3, 2, 5, 7}, "bn.run");
  const double m = 0.1, M = 3 * 35;
  std::vector<double> rm = {0, 0}, rv = {1, 1}, mean, var;
  for (int step = 0; step < 2; ++step) {
    fill_normal(bn.x, Seed{"bn.run.x", static_cast<std::uint64_t>(step)}, 2.0 - step, 0.5 + step);
    bn.forward();
    channel_stats(bn.x, mean, var);
    for (int c = 0; c < 2; ++c) {
      rm[c] = (1 - m) * rm[c] + m * mean[c];
      rv[c] = (1 - m) * rv[c] + m * var[c] * M / (M - 1);
    }
  }
  expect_close(bn.running_mean, Tensor::from_vector(rm, {2}), tol::kDouble, "running_mean");
  expect_close(bn.running_var, Tensor::from_vector(rv, {2}), tol::kDouble, "running_var");
}

TEST(BatchNormCpu, ForwardInfer_FormulaByHand) {
  const Shape shape = {2, 3, 3, 9};
  Tensor x = random_normal(shape, Seed{"bn.eval.x"}, 0.0, 2.0, DType::f64);
  Tensor gamma = Tensor::from_vector(std::vector<double>{1.5, -0.5, 2.0}, {3});
  Tensor beta = Tensor::from_vector(std::vector<double>{0.1, 0.2, -0.3}, {3});
  Tensor rm = Tensor::from_vector(std::vector<double>{0.5, -1.0, 0.0}, {3});
  Tensor rv = Tensor::from_vector(std::vector<double>{0.25, 4.0, 1e-3}, {3});
  BatchNormParams p;
  Tensor y = Tensor::empty(shape, DType::f64);
  batchnorm2d_forward_infer(x, gamma, beta, rm, rv, p, y);
  Tensor y_ref = Tensor::empty(shape, DType::f64);
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const std::int64_t c = (i / 27) % 3;
    y_ref.data<double>()[i] =
        (x.item(i) - rm.item(c)) / std::sqrt(rv.item(c) + p.eps) * gamma.item(c) + beta.item(c);
  }
  expect_close(y, y_ref, tol::kDouble, "y");
}

// Values from PyTorch 1.13 (float64), produced once with:
//   N,C,H,W = 2,3,2,3; i = torch.arange(36, dtype=torch.float64)
//   x = (torch.sin(0.7*i) + 0.25*(i % 5)).reshape(N,C,H,W).requires_grad_()
//   dy = torch.cos(0.3*i).reshape(N,C,H,W)
//   bn = torch.nn.BatchNorm2d(C).double()
//   bn.weight.data[:] = torch.tensor([1.5, -0.5, 2.0], dtype=torch.float64)
//   bn.bias.data[:] = torch.tensor([0.1, 0.2, -0.3], dtype=torch.float64)
//   y = bn(x); y.backward(dy)
//   print(y.flatten()[[0,7,20,35]], bn.running_mean, bn.running_var,
//         x.grad.flatten()[[0,7,20,35]], bn.weight.grad, bn.bias.grad)
TEST(BatchNormCpu, MatchesPyTorchFixture) {
  const Shape shape = {2, 3, 2, 3};
  Tensor x = Tensor::empty(shape, DType::f64);
  Tensor dy = Tensor::empty(shape, DType::f64);
  for (int i = 0; i < 36; ++i) {
    x.data<double>()[i] = std::sin(0.7 * i) + 0.25 * (i % 5);
    dy.data<double>()[i] = std::cos(0.3 * i);
  }
  Bn bn(shape, "bn.torch");
  bn.x = x;
  bn.gamma = Tensor::from_vector(std::vector<double>{1.5, -0.5, 2.0}, {3});
  bn.beta = Tensor::from_vector(std::vector<double>{0.1, 0.2, -0.3}, {3});
  bn.forward();
  Tensor dx = Tensor::empty(shape, DType::f64);
  Tensor dgamma = Tensor::zeros({3}, DType::f64), dbeta = Tensor::zeros({3}, DType::f64);
  batchnorm2d_backward(dy, bn.x, bn.gamma, bn.mean, bn.invstd, BatchNormParams{}, dx, dgamma, dbeta);

  const std::vector<std::int64_t> at = {0, 7, 20, 35};
  const std::vector<double> y_torch = {-2.1166190213423373, 0.6978788309506732,
                                       0.34879910791302265, -2.522913233307267};
  const std::vector<double> dx_torch = {0.8699849288426503, 0.2332842672673289,
                                        0.4881606491206187, -0.5235447209872726};
  for (std::size_t k = 0; k < at.size(); ++k) {
    EXPECT_NEAR(bn.y.item(at[k]), y_torch[k], 1e-12) << "y at " << at[k];
    EXPECT_NEAR(dx.item(at[k]), dx_torch[k], 1e-12) << "dx at " << at[k];
  }
  auto vec = [](std::vector<double> v) { return Tensor::from_vector(v, {3}); };
  expect_close(bn.running_mean, vec({0.08906396368465459, 0.03903167135354003, 0.017483473359494732}),
               tol::kDouble, "running_mean");
  expect_close(bn.running_var, vec({0.9396260743040298, 0.983805890060879, 0.9518405876045367}),
               tol::kDouble, "running_var");
  expect_close(dgamma, vec({0.829302588061821, -3.7184442533532813, -2.954973846840921}),
               tol::kDouble, "dgamma");
  expect_close(dbeta, vec({9.030769304349786, -4.853523723880506, -6.825307790933301}),
               tol::kDouble, "dbeta");
}

TEST(BatchNormCpu, Backward_AssignsDxAndAccumulatesParameterGrads) {
  const Shape shape = {2, 3, 5, 7};
  Bn bn(shape, "bn.acc");
  Tensor dy = random_normal(shape, Seed{"bn.acc.dy"}, 0.0, 1.0, DType::f64);
  bn.forward();
  Tensor dx = Tensor::full(shape, NAN, DType::f64);
  Tensor dgamma = Tensor::zeros({3}, DType::f64), dbeta = Tensor::zeros({3}, DType::f64);
  batchnorm2d_backward(dy, bn.x, bn.gamma, bn.mean, bn.invstd, BatchNormParams{}, dx, dgamma, dbeta);
  for (std::int64_t i = 0; i < dx.numel(); ++i) ASSERT_TRUE(std::isfinite(dx.item(i))) << i;
  Tensor dx_once = dx.clone(), dgamma_once = dgamma.clone(), dbeta_once = dbeta.clone();

  bn.forward();
  batchnorm2d_backward(dy, bn.x, bn.gamma, bn.mean, bn.invstd, BatchNormParams{}, dx, dgamma, dbeta);
  expect_close(dx, dx_once, tol::kDouble, "dx is assigned, not accumulated");
  Tensor twice_g = dgamma_once.clone(), twice_b = dbeta_once.clone();
  for (int c = 0; c < 3; ++c) {
    twice_g.data<double>()[c] *= 2;
    twice_b.data<double>()[c] *= 2;
  }
  expect_close(dgamma, twice_g, tol::kDouble, "dgamma after two backwards");
  expect_close(dbeta, twice_b, tol::kDouble, "dbeta after two backwards");
}

TEST(BatchNormCpu, F32AgreesWithF64) {
  const Shape shape = {3, 4, 7, 5};
  Bn b64(shape, "bn.f32");
  Bn b32(shape, "bn.f32", DType::f32);
  b64.x = b32.x.to(DType::f64);
  b64.gamma = b32.gamma.to(DType::f64);
  b64.beta = b32.beta.to(DType::f64);
  b64.forward();
  b32.forward();
  expect_close(b32.y, b64.y, kF32VsF64, "y");
  expect_close(b32.running_var, b64.running_var, kF32VsF64, "running_var");

  Tensor dy32 = random_normal(shape, Seed{"bn.f32.dy"}, 0.0, 1.0, DType::f32);
  Tensor dy64 = dy32.to(DType::f64);
  Tensor dx32 = Tensor::empty(shape, DType::f32), dx64 = Tensor::empty(shape, DType::f64);
  Tensor dg32 = Tensor::zeros({4}), db32 = Tensor::zeros({4});
  Tensor dg64 = Tensor::zeros({4}, DType::f64), db64 = Tensor::zeros({4}, DType::f64);
  batchnorm2d_backward(dy32, b32.x, b32.gamma, b32.mean, b32.invstd, BatchNormParams{}, dx32, dg32, db32);
  batchnorm2d_backward(dy64, b64.x, b64.gamma, b64.mean, b64.invstd, BatchNormParams{}, dx64, dg64, db64);
  expect_close(dx32, dx64, kF32VsF64, "dx");
  // dgamma and dbeta are sums of M = 105 terms of size ~1.
  expect_close(dg32, dg64, {1e-4, 1e-5}, "dgamma");
  expect_close(db32, db64, {1e-4, 1e-5}, "dbeta");
}

// The shifted sums keep the variance right when the mean dwarfs the spread
// (E[x^2] - E[x]^2 in f32 would lose it entirely).
TEST(BatchNormCpu, F32VarianceSurvivesLargeMean) {
  Bn bn({4, 2, 9, 9}, "bn.offset", DType::f32);
  fill_normal(bn.x, Seed{"bn.offset.x"}, 1000.0, 0.01);
  bn.forward();
  std::vector<double> mean, var;
  channel_stats(bn.x, mean, var);
  for (int c = 0; c < 2; ++c) {
    EXPECT_NEAR(1 / (bn.invstd.item(c) * bn.invstd.item(c)) - 1e-5, var[c], 1e-6 * var[c]);
  }
}

// Large enough (36,900 elements) to take the parallel path.
TEST(BatchNormCpu, SameBitsForOneAndTwoThreads) {
  const Shape shape = {4, 5, 45, 41};
  const int threads = cpu::num_threads();
  std::vector<Tensor> ys;
  for (int t : {1, 2}) {
    cpu::set_num_threads(t);
    Bn bn(shape, "bn.threads", DType::f32);
    bn.forward();
    ys.push_back(bn.y);
  }
  cpu::set_num_threads(threads);
  expect_close(ys[0], ys[1], {0, 0}, "y with 1 vs 2 threads");
}

TEST(BatchNormCpu, Errors_NameTheArgument) {
  Bn bn({2, 3, 5, 7}, "bn.err");
  Tensor wrong_c = Tensor::zeros({4}, DType::f64);
  test::expect_error_containing([&] {
    batchnorm2d_forward_train(bn.x, wrong_c, bn.beta, bn.p, bn.running_mean, bn.running_var, bn.y,
                              bn.mean, bn.invstd);
  }, "gamma has shape [4], expected [3]");
  test::expect_error_containing([&] {
    batchnorm2d_forward_train(bn.x, bn.gamma, bn.beta, bn.p, wrong_c, bn.running_var, bn.y,
                              bn.mean, bn.invstd);
  }, "running_mean");
  Tensor y32 = Tensor::zeros(bn.x.shape());
  test::expect_error_containing([&] {
    batchnorm2d_forward_infer(bn.x, bn.gamma, bn.beta, bn.running_mean, bn.running_var, bn.p, y32);
  }, "y is f32");
  Tensor flat = Tensor::zeros({2, 3}, DType::f64);
  test::expect_error_containing([&] {
    batchnorm2d_forward_infer(flat, bn.gamma, bn.beta, bn.running_mean, bn.running_var, bn.p, bn.y);
  }, "x must have 4 dimensions");
  bn.forward();
  Tensor dx_wrong = Tensor::zeros({2, 3, 5, 6}, DType::f64), dg = Tensor::zeros({3}, DType::f64);
  test::expect_error_containing([&] {
    batchnorm2d_backward(bn.y, bn.x, bn.gamma, bn.mean, bn.invstd, BatchNormParams{}, dx_wrong, dg, dg);
  }, "batchnorm2d_backward: dx has shape");
  Tensor undefined;
  test::expect_error_containing([&] {
    batchnorm2d_backward(bn.y, bn.x, bn.gamma, bn.mean, bn.invstd, BatchNormParams{}, bn.y, undefined, dg);
  }, "dgamma is undefined");
  Bn single({1, 2, 1, 1}, "bn.single");
  test::expect_error_containing([&] { single.forward(); }, "more than 1 value per channel");
}

}  // namespace
}  // namespace ctcscope
