// batchnorm2d_forward_infer_act against the unfused ops it replaces
// (batchnorm2d_forward_infer, add, relu_forward / silu_forward): the same
// bits, in f32 and f64, with and without the residual, on one and two
// threads, in place and not; its concatenating form against concat_channels
// then the same op. And the entry points' argument errors.
#include <string>

#include "kernels/activation.h"
#include "kernels/batchnorm.h"
#include "kernels/concat.h"
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

TEST(BatchNormInferAct, ConcatReadsThePiecesAsTheirConcatenation) {
  const int saved = cpu::num_threads();
  // Pieces of 5, 1 and 6 channels (DenseNet's block input, then the layers'
  // growth); 4 images, so that each piece's image stride differs from y's.
  for (int threads : {1, 2}) {
    cpu::set_num_threads(threads);
    for (DType dtype : {DType::f32, DType::f64}) {
      std::vector<Tensor> pieces;
      std::int64_t channels = 0;
      for (std::int64_t c : {5, 1, 6}) {
        pieces.push_back(random_normal({4, c, 23, 21}, Seed{"bn_act.piece" + std::to_string(c)}, 0, 1, dtype));
        channels += c;
      }
      Tensor whole = Tensor::empty({4, channels, 23, 21}, dtype);
      concat_channels(pieces, whole);
      for (Activation a : {Activation::none, Activation::relu, Activation::silu}) {
        const InferenceBatchNorm bn = batchnorm(whole.shape(), dtype, a, false);
        Tensor expected = Tensor::empty(whole.shape(), dtype), y = Tensor::empty(whole.shape(), dtype);
        batchnorm2d_forward_infer_act(whole, bn, expected);
        batchnorm2d_forward_infer_act_concat(pieces, bn, y);
        test::expect_close(y, expected, kSameBits,
                           std::to_string(static_cast<int>(a)) + " activation, " + std::to_string(threads) + " threads");
      }
    }
  }
  cpu::set_num_threads(saved);
}

TEST(BatchNormInferActErrors, ConcatPiecesThatDoNotFitAreNamed) {
  const std::vector<Tensor> pieces = {random_normal({2, 3, 4, 5}, Seed{"bn_act.a"}),
                                      random_normal({2, 2, 4, 5}, Seed{"bn_act.b"})};
  const InferenceBatchNorm bn = batchnorm({2, 5, 4, 5}, DType::f32, Activation::relu, false);
  Tensor y = Tensor::empty({2, 5, 4, 5});
  Tensor too_wide = Tensor::empty({2, 6, 4, 5});
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act_concat(pieces, bn, too_wide); },
                                "the pieces have 5 channels");
  const std::vector<Tensor> other_map = {pieces[0], random_normal({2, 2, 4, 6}, Seed{"bn_act.c"})};
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act_concat(other_map, bn, y); }, "a piece");
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act_concat({y}, bn, y); },
                                "y must not share memory with a piece");
  test::expect_error_containing([&] { batchnorm2d_forward_infer_act_concat({}, bn, y); }, "no pieces");
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
