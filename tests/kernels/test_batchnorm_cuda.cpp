// BatchNorm2d on the GPU (cuDNN) against the CPU twin: training forward with
// the saved statistics and the running-statistics update (unbiased variance,
// momentum), inference, and backward with dgamma/dbeta accumulated.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/batchnorm.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

constexpr double kTol = test::tol::kGpuStrictFp32Relative;  // no tensor cores in batch norm

TEST(BatchNormCuda, TrainForwardBackwardMatchCpu_OddSpatial) {
  CTC_REQUIRE_CUDA();
  const Shape xs{3, 5, 7, 9};
  const BatchNormParams p{1e-3, 0.2};  // not the defaults: eps must reach cuDNN
  Tensor x = random_normal(xs, Seed{"bn.cuda.x"}, 0.5, 2.0);
  Tensor gamma = random_normal({5}, Seed{"bn.cuda.g"});
  Tensor beta = random_normal({5}, Seed{"bn.cuda.b"});
  Tensor rm = random_normal({5}, Seed{"bn.cuda.rm"});
  Tensor rv = random_uniform({5}, Seed{"bn.cuda.rv"}, 0.5, 2.0);
  Tensor dy = random_normal(xs, Seed{"bn.cuda.dy"});
  Tensor dg0 = random_normal({5}, Seed{"bn.cuda.dg0"});
  Tensor db0 = random_normal({5}, Seed{"bn.cuda.db0"});

  Tensor rm_c = rm.clone(), rv_c = rv.clone(), y_c = Tensor::empty(xs);
  Tensor mean_c = Tensor::empty({5}), invstd_c = Tensor::empty({5});
  batchnorm2d_forward_train(x, gamma, beta, p, rm_c, rv_c, y_c, mean_c, invstd_c);
  Tensor dx_c = Tensor::empty(xs), dg_c = dg0.clone(), db_c = db0.clone();
  batchnorm2d_backward(dy, x, gamma, mean_c, invstd_c, p, dx_c, dg_c, db_c);

  Tensor xg = test::to_gpu(x), gg = test::to_gpu(gamma);
  Tensor rm_g = test::to_gpu(rm), rv_g = test::to_gpu(rv);
  Tensor y_g = Tensor::empty(xs, DType::f32, Device::cuda);
  Tensor mean_g = Tensor::empty({5}, DType::f32, Device::cuda);
  Tensor invstd_g = Tensor::empty({5}, DType::f32, Device::cuda);
  batchnorm2d_forward_train(xg, gg, test::to_gpu(beta), p, rm_g, rv_g, y_g, mean_g, invstd_g);
  Tensor dx_g = Tensor::full(xs, NAN).to_device(Device::cuda);
  Tensor dg_g = test::to_gpu(dg0), db_g = test::to_gpu(db0);
  batchnorm2d_backward(test::to_gpu(dy), xg, gg, mean_g, invstd_g, p, dx_g, dg_g, db_g);

  test::expect_relative_error(test::to_host(y_g), y_c, kTol, "y");
  test::expect_relative_error(test::to_host(mean_g), mean_c, kTol, "saved_mean");
  test::expect_relative_error(test::to_host(invstd_g), invstd_c, kTol, "saved_invstd");
  test::expect_relative_error(test::to_host(rm_g), rm_c, kTol, "running_mean");
  test::expect_relative_error(test::to_host(rv_g), rv_c, kTol, "running_var (unbiased)");
  test::expect_relative_error(test::to_host(dx_g), dx_c, kTol, "dx");
  test::expect_relative_error(test::to_host(dg_g), dg_c, kTol, "dgamma (accumulated)");
  test::expect_relative_error(test::to_host(db_g), db_c, kTol, "dbeta (accumulated)");
}

TEST(BatchNormCuda, InferMatchesCpu) {
  CTC_REQUIRE_CUDA();
  const Shape xs{2, 3, 5, 3};
  const BatchNormParams p{};
  Tensor x = random_normal(xs, Seed{"bn.inf.x"});
  Tensor gamma = random_normal({3}, Seed{"bn.inf.g"});
  Tensor beta = random_normal({3}, Seed{"bn.inf.b"});
  Tensor rm = random_normal({3}, Seed{"bn.inf.rm"});
  Tensor rv = random_uniform({3}, Seed{"bn.inf.rv"}, 0.5, 2.0);
  Tensor y_c = Tensor::empty(xs);
  batchnorm2d_forward_infer(x, gamma, beta, rm, rv, p, y_c);
  Tensor y_g = Tensor::empty(xs, DType::f32, Device::cuda);
  batchnorm2d_forward_infer(test::to_gpu(x), test::to_gpu(gamma), test::to_gpu(beta),
                            test::to_gpu(rm), test::to_gpu(rv), p, y_g);
  test::expect_relative_error(test::to_host(y_g), y_c, kTol, "y");
}

}  // namespace
}  // namespace ctcscope
