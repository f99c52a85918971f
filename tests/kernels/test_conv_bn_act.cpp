// conv2d_forward_bn_act against the unfused ops it replaces
// (conv2d_forward, batchnorm2d_forward_infer, add, relu_forward / silu_forward):
// the same bits, in f32 and f64, on one and two threads, on shapes that take
// each path of the CPU convolution (one image's GEMM straight into y, chunks of
// images through the scratch buffer, groups, depthwise, Eigen split inside one
// image). And the entry point's argument errors.
#include <string>

#include "kernels/activation.h"
#include "kernels/batchnorm.h"
#include "kernels/channel_scale.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/cpu/context.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// Fused and unfused compute every element with the same expressions in the same
// order: only the number of passes over memory differs.
constexpr test::Tolerance kSameBits{0, 0};

struct FusedCase {
  const char* name;
  std::int64_t N, C, H, W, K, R;
  std::int64_t stride, pad, groups;
  bool fast_inference = false;  // Conv2dParams': lets Winograd take F(4x4)
};

void PrintTo(const FusedCase& c, std::ostream* os) { *os << c.name; }

const FusedCase kCases[] = {
    {"PointwiseOneImage", 1, 5, 7, 9, 4, 1, 1, 0, 1},         // GEMM into y
    {"Basic3x3Chunks", 5, 3, 7, 9, 6, 3, 1, 1, 1},            // chunks of images
    {"Stride2Pad0", 3, 4, 11, 9, 5, 3, 2, 0, 1},
    {"Groups2", 3, 4, 7, 9, 6, 3, 1, 1, 2},
    {"Depthwise", 3, 7, 9, 8, 7, 3, 1, 1, 7},
    {"Depthwise5x5Stride2", 2, 19, 11, 10, 19, 5, 2, 2, 19},
    {"LayerBatch4", 4, 32, 12, 12, 48, 3, 1, 1, 1},           // threads over images
    {"LayerOneImage", 1, 64, 20, 20, 64, 3, 1, 1, 1},         // Eigen splits the GEMM
    {"LayerPointwiseBatch3", 3, 96, 10, 10, 64, 1, 1, 0, 1},
    // Winograd with the batch norm: partial tiles at the edges, and output
    // channels that end inside a block of 16.
    {"WinogradF2EdgeTiles", 2, 20, 11, 13, 36, 3, 1, 1, 1},
    {"WinogradF4EdgeTiles", 2, 20, 11, 13, 36, 3, 1, 1, 1, true},
};

struct Inputs {
  Tensor x, w;
  InferenceBatchNorm bn;
  Conv2dParams p;
};

Inputs inputs(const FusedCase& c, DType dtype, Activation activation, bool residual = false) {
  const std::string tag = std::string("conv_bn_act.") + c.name;
  Inputs in;
  in.p.stride_h = in.p.stride_w = c.stride;
  in.p.pad_h = in.p.pad_w = c.pad;
  in.p.groups = c.groups;
  in.p.fast_inference = c.fast_inference;
  in.x = random_normal({c.N, c.C, c.H, c.W}, Seed{tag + ".x"}, 0, 1, dtype);
  in.w = random_normal({c.K, c.C / c.groups, c.R, c.R}, Seed{tag + ".w"}, 0, 0.3, dtype);
  // Statistics away from the identity, so each term of the affine matters.
  in.bn.gamma = random_normal({c.K}, Seed{tag + ".gamma"}, 1, 0.5, dtype);
  in.bn.beta = random_normal({c.K}, Seed{tag + ".beta"}, 0, 0.5, dtype);
  in.bn.running_mean = random_normal({c.K}, Seed{tag + ".mean"}, 0, 0.5, dtype);
  in.bn.running_var = random_uniform({c.K}, Seed{tag + ".var"}, 0.1, 2.0, dtype);
  in.bn.activation = activation;
  if (residual) {
    in.bn.residual = random_normal(conv2d_output_shape(in.x.shape(), in.w.shape(), in.p),
                                   Seed{tag + ".residual"}, 0, 1, dtype);
  }
  return in;
}

Tensor unfused(const Inputs& in) {
  Tensor y = Tensor::empty(conv2d_output_shape(in.x.shape(), in.w.shape(), in.p), in.x.dtype());
  conv2d_forward(in.x, in.w, in.p, y);
  Tensor z = Tensor::empty(y.shape(), y.dtype());
  batchnorm2d_forward_infer(y, in.bn.gamma, in.bn.beta, in.bn.running_mean, in.bn.running_var,
                            in.bn.params, z);
  if (in.bn.residual.defined()) add(z, in.bn.residual, z);
  if (in.bn.activation == Activation::relu) relu_forward(z, z);
  if (in.bn.activation == Activation::silu) silu_forward(z, z);
  return z;
}

Tensor fused(const Inputs& in) {
  Tensor y = Tensor::empty(conv2d_output_shape(in.x.shape(), in.w.shape(), in.p), in.x.dtype());
  conv2d_forward_bn_act(in.x, in.w, in.p, in.bn, y);
  return y;
}

class ConvBnAct : public ::testing::TestWithParam<FusedCase> {};

TEST_P(ConvBnAct, SameBitsAsTheUnfusedOps) {
  const int saved = cpu::num_threads();
  for (int threads : {1, 2}) {
    cpu::set_num_threads(threads);
    for (DType dtype : {DType::f32, DType::f64}) {
      for (Activation a : {Activation::none, Activation::relu, Activation::silu}) {
        for (bool residual : {false, true}) {
          const Inputs in = inputs(GetParam(), dtype, a, residual);
          const std::string what = std::string(dtype == DType::f32 ? "f32" : "f64") + " activation " +
                                   std::to_string(static_cast<int>(a)) + (residual ? " with residual, " : ", ") +
                                   std::to_string(threads) + " threads";
          test::expect_close(fused(in), unfused(in), kSameBits, what);
        }
      }
    }
  }
  cpu::set_num_threads(saved);
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvBnAct, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<FusedCase>& info) {
                           return std::string(info.param.name);
                         });

// With a squeeze-excitation gate: the same bits as channel_scale_forward
// first. Pointwise in f32 takes the gate as it packs x (one image, and a
// chunk of three); a 3x3 and f64 make the product in a pass of their own.
TEST(ConvBnActGate, SameBitsAsScalingTheInputFirst) {
  const FusedCase cases[] = {kCases[0], kCases[8], kCases[1]};  // pointwise 1 and 3 images, 3x3
  for (const FusedCase& c : cases) {
    for (DType dtype : {DType::f32, DType::f64}) {
      const Inputs in = inputs(c, dtype, Activation::none, false);
      const Tensor gate = random_uniform({c.N, c.C, 1, 1}, Seed{std::string("conv_bn_act.gate.") + c.name}, 0, 1, dtype);
      Tensor scaled = Tensor::empty(in.x.shape(), dtype);
      channel_scale_forward(in.x, gate, scaled);
      Inputs scaled_in = in;
      scaled_in.x = scaled;
      Tensor y = Tensor::empty(conv2d_output_shape(in.x.shape(), in.w.shape(), in.p), dtype);
      conv2d_forward_bn_act(in.x, in.w, in.p, in.bn, y, gate);
      test::expect_close(y, fused(scaled_in), kSameBits, std::string(c.name) + (dtype == DType::f32 ? " f32" : " f64"));
    }
  }
}

// DenseNet's layer: the input's batch norm and activation on the pieces of a
// concatenation that is never built. The same bits as building the
// normalised input (batchnorm2d_forward_infer_act_concat) first. Pointwise
// f32 packs the pieces (one image and three); 3x3 and f64 build it.
TEST(ConvBnActConcat, SameBitsAsNormalisingTheConcatenationFirst) {
  for (std::int64_t N : {1, 3}) {
    for (std::int64_t R : {1, 3}) {
      for (DType dtype : {DType::f32, DType::f64}) {
        for (Activation a : {Activation::relu, Activation::silu}) {
          const std::string tag = "conv_bn_act.concat." + std::to_string(N) + "." + std::to_string(R);
          std::vector<Tensor> pieces;
          for (std::int64_t c : {5, 1, 6})
            pieces.push_back(random_normal({N, c, 10, 9}, Seed{tag + ".piece" + std::to_string(c)}, 0, 1, dtype));
          FusedCase c{"concat", N, 12, 10, 9, 8, R, 1, R / 2, 1};
          Inputs in = inputs(c, dtype, Activation::none);
          const InferenceBatchNorm input_bn = inputs(FusedCase{"concat_input", N, 12, 12, 1, 12, 1, 1, 0, 1}, dtype, a).bn;
          Tensor normalised = Tensor::empty(in.x.shape(), dtype);
          batchnorm2d_forward_infer_act_concat(pieces, input_bn, normalised);
          in.x = normalised;
          Tensor y = Tensor::empty(conv2d_output_shape(in.x.shape(), in.w.shape(), in.p), dtype);
          conv2d_forward_bn_act_concat(pieces, input_bn, in.w, in.p, in.bn, y);
          test::expect_close(y, fused(in), kSameBits, tag + (dtype == DType::f32 ? " f32" : " f64") +
                                                          " activation " + std::to_string(static_cast<int>(a)));
        }
      }
    }
  }
}

TEST(ConvBnActErrors, ConcatPiecesAndInputBatchNormThatDoNotFitAreNamed) {
  const Inputs in = inputs(kCases[0], DType::f32, Activation::none);  // 5 channels in, 7x9
  const InferenceBatchNorm input_bn = inputs(kCases[0], DType::f32, Activation::relu).bn;  // 4 channels
  const std::vector<Tensor> pieces = {random_normal({1, 3, 7, 9}, Seed{"concat.a"}),
                                      random_normal({1, 2, 7, 9}, Seed{"concat.b"})};
  Tensor y = fused(in);
  test::expect_error_containing([&] { conv2d_forward_bn_act_concat(pieces, input_bn, in.w, in.p, in.bn, y); },
                                "input_bn's statistics are");
  const std::vector<Tensor> other_map = {pieces[0], random_normal({1, 2, 7, 8}, Seed{"concat.c"})};
  test::expect_error_containing([&] { conv2d_forward_bn_act_concat(other_map, in.bn, in.w, in.p, in.bn, y); },
                                "a piece has shape [1,2,7,8]");
}

TEST(ConvBnActErrors, GateOfTheWrongShapeIsNamed) {
  const Inputs in = inputs(kCases[0], DType::f32, Activation::none);
  Tensor y = fused(in);
  test::expect_error_containing(
      [&] { conv2d_forward_bn_act(in.x, in.w, in.p, in.bn, y, Tensor::zeros({1, 4})); }, "gate has shape [1,4]");
}

TEST(ConvBnActErrors, BatchNormOfTheWrongSizeIsNamed) {
  Inputs in = inputs(kCases[1], DType::f32, Activation::relu);
  in.bn.running_var = Tensor::zeros({5});
  test::expect_error_containing([&] { fused(in); }, "conv2d_forward_bn_act: running_var");
}

TEST(ConvBnActErrors, ResidualOfTheWrongShapeIsNamed) {
  Inputs in = inputs(kCases[1], DType::f32, Activation::relu);
  in.bn.residual = Tensor::zeros({1, 2, 3, 4});
  test::expect_error_containing([&] { fused(in); }, "conv2d_forward_bn_act: residual");
}

TEST(ConvBnActErrors, MixedDtypeIsNamed) {
  Inputs in = inputs(kCases[1], DType::f32, Activation::none);
  in.bn.gamma = in.bn.gamma.to(DType::f64);
  test::expect_error_containing([&] { fused(in); }, "gamma");
}

}  // namespace
}  // namespace ctcscope
