// batchnorm2d_forward_infer_act against the unfused ops it replaces
// (batchnorm2d_forward_infer, add, relu_forward / silu_forward): the same
// bits, in f32 and f64, with and without the residual, on one and two
// threads, in place and not. And the entry point's argument errors.
#include <string>

#include "kernels/activation.h"
#include "kernels/batchnorm.h"
#include "kernels/cpu/context.h"
#include "kernels/elementwise.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// The same expressions in the same order: only the passes over memory differ.
constexpr test::Tolerance kSameBits{0, 0};

InferenceBatchNorm batchnorm(const Shape& x, DType dtype, Activation activation, bool residual) {
  const std::int64_t C = x[1];
  InferenceBatchNorm bn;
  bn.gamma = random_normal({C}, Seed{"bn_act.gamma"}, 1, 0.5, dtype);
  bn.beta = random_normal({C}, Seed{"bn_act.beta"}, 0, 0.5, dtype);
  bn.running_mean = random_normal({C}, Seed{"bn_act.mean"}, 0, 0.5, dtype);
  bn.running_var = random_uniform({C}, Seed{"bn_act.var"}, 0.1, 2.0, dtype);
  if (residual) bn.residual = random_normal(x, Seed{"bn_act.residual"}, 0, 1, dtype);
  bn.activation = activation;
  return bn;
}

Tensor unfused(const Tensor& x, const InferenceBatchNorm& bn) {
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  batchnorm2d_forward_infer(x, bn.gamma, bn.beta, bn.running_mean, bn.running_var, bn.params, y);
  if (bn.residual.defined()) add(y, bn.residual, y);
  if (bn.activation == Activation::relu) relu_forward(y, y);
  if (bn.activation == Activation::silu) silu_forward(y, y);
  return y;
}

TEST(BatchNormInferAct, SameBitsAsTheUnfusedOps) {
  const int saved = cpu::num_threads();
  // A small odd shape (one thread whatever the count) and one above the parallel threshold.
  for (const Shape& shape : {Shape{3, 5, 7, 9}, Shape{4, 24, 23, 21}}) {
    for (int threads : {1, 2}) {
      cpu::set_num_threads(threads);
      for (DType dtype : {DType::f32, DType::f64}) {
        const Tensor x = random_normal(shape, Seed{"bn_act.x"}, 0, 1, dtype);
        for (Activation a : {Activation::none, Activation::relu, Activation::silu}) {
          for (bool residual : {false, true}) {
            const InferenceBatchNorm bn = batchnorm(shape, dtype, a, residual);
            const std::string what = shape_str(shape) + (dtype == DType::f32 ? " f32" : " f64") + " activation " +
                                     std::to_string(static_cast<int>(a)) + (residual ? " residual " : " ") +
                                     std::to_string(threads) + " threads";
            Tensor y = Tensor::empty(shape, dtype);
            batchnorm2d_forward_infer_act(x, bn, y);
            test::expect_close(y, unfused(x, bn), kSameBits, what);
            Tensor in_place = x.clone();
            batchnorm2d_forward_infer_act(in_place, bn, in_place);
            test::expect_close(in_place, y, kSameBits, what + " in place");
          }
        }
      }
    }
  }
  cpu::set_num_threads(saved);
}

TEST(BatchNormInferActErrors, WrongSizesAndAliasingAreNamed) {
  const Tensor x = random_normal({2, 3, 4, 5}, Seed{"bn_act.x"});
  InferenceBatchNorm bn = batchnorm(x.shape(), DType::f32, Activation::relu, false);
  Tensor y = Tensor::empty(x.shape());
  bn.running_var = Tensor::zeros({4});
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act(x, bn, y); },
                                "batchnorm2d_forward_infer_act: running_var");
  bn = batchnorm(x.shape(), DType::f32, Activation::relu, false);
  bn.residual = Tensor::zeros({2, 3, 4, 4});
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act(x, bn, y); }, "residual");
  bn.residual = y;
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act(x, bn, y); },
                                "y must not share memory with residual");
}

}  // namespace
}  // namespace ctcscope
