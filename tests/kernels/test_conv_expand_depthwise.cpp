// conv2d_forward_expand_depthwise against the two fused convolutions it
// replaces (conv2d_forward_bn_act for the expansion, then for the depthwise
// convolution, themselves held against the unfused ops in
// test_conv_bn_act.cpp) and the pool after them (global_avgpool_forward): the
// same bits, on one and two threads, on shapes
// that take the one pass (f32, 1x1 expansion: single images and chunks of
// several, a last chunk of fewer images, a last block of fewer than 16
// channels, rows narrower than 16, stride 2, 5x5; shapes of over a million
// flops, which the threads share, one image among them)
// and the fallback (a 3x3 expansion, f64). And the entry point's errors.
#include <string>

#include "kernels/conv.h"
#include "kernels/cpu/context.h"
#include "kernels/pool.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// Both ways compute every element with the same expressions in the same
// order: only where the expanded values wait between the two differs.
constexpr test::Tolerance kSameBits{0, 0};

struct ExpandCase {
  const char* name;
  std::int64_t N, C, H, W, E;  // E: the expanded channels
  std::int64_t R, stride;      // the depthwise kernel, padding (R-1)/2
  std::int64_t expand_R = 1;
  bool expand_padded = true;  // padding (expand_R-1)/2, else none: the expanded maps are smaller
};

void PrintTo(const ExpandCase& c, std::ostream* os) { *os << c.name; }

const ExpandCase kCases[] = {
    {"PartialLastBlock", 3, 5, 9, 7, 21, 3, 1},         // 16 + 5 channels, rows of 7
    {"Kernel5Stride2", 4, 6, 11, 10, 40, 5, 2},
    {"SmallMapsInChunks", 13, 64, 5, 5, 100, 3, 2},    // chunks of 11 and 2 images
    {"WideRows", 2, 8, 6, 37, 32, 3, 1},               // rows past a transpose block
    {"OneImage", 1, 32, 40, 38, 80, 3, 1},             // on two threads: they share its blocks
    {"ThreadsShareABatch", 3, 24, 30, 30, 96, 5, 1},
    {"Expansion3x3", 3, 4, 8, 9, 24, 3, 1, 3},         // not 1x1: the fallback
    {"Expansion3x3Unpadded", 2, 4, 9, 10, 20, 3, 1, 3, false},
};

InferenceBatchNorm batchnorm(std::int64_t channels, const std::string& tag, Activation activation, DType dtype) {
  InferenceBatchNorm bn;
  bn.gamma = random_normal({channels}, Seed{tag + ".gamma"}, 1, 0.5, dtype);
  bn.beta = random_normal({channels}, Seed{tag + ".beta"}, 0, 0.5, dtype);
  bn.running_mean = random_normal({channels}, Seed{tag + ".mean"}, 0, 0.5, dtype);
  bn.running_var = random_uniform({channels}, Seed{tag + ".var"}, 0.1, 2.0, dtype);
  bn.activation = activation;
  return bn;
}

struct Inputs {
  Tensor x, w_expand, w_depthwise;
  Conv2dParams p_expand, p_depthwise;
  InferenceBatchNorm bn_expand, bn_depthwise;
};

Inputs inputs(const ExpandCase& c, DType dtype, Activation activation) {
  const std::string tag = std::string("expand_depthwise.") + c.name;
  Inputs in;
  in.x = random_normal({c.N, c.C, c.H, c.W}, Seed{tag + ".x"}, 0, 1, dtype);
  in.w_expand = random_normal({c.E, c.C, c.expand_R, c.expand_R}, Seed{tag + ".w_expand"}, 0, 0.3, dtype);
  in.w_depthwise = random_normal({c.E, 1, c.R, c.R}, Seed{tag + ".w_depthwise"}, 0, 0.3, dtype);
  in.p_expand.pad_h = in.p_expand.pad_w = c.expand_padded ? (c.expand_R - 1) / 2 : 0;
  in.p_depthwise.stride_h = in.p_depthwise.stride_w = c.stride;
  in.p_depthwise.pad_h = in.p_depthwise.pad_w = (c.R - 1) / 2;
  in.p_depthwise.groups = c.E;
  in.bn_expand = batchnorm(c.E, tag + ".bn_expand", activation, dtype);
  in.bn_depthwise = batchnorm(c.E, tag + ".bn_depthwise", activation, dtype);
  return in;
}

Shape expanded_shape(const Inputs& in) { return conv2d_output_shape(in.x.shape(), in.w_expand.shape(), in.p_expand); }

struct Outputs {
  Tensor y, means;
};

Outputs one_pass(const Inputs& in) {
  const Shape ys = conv2d_output_shape(expanded_shape(in), in.w_depthwise.shape(), in.p_depthwise);
  Outputs out{Tensor::empty(ys, in.x.dtype()), Tensor::empty({ys[0], ys[1]}, in.x.dtype())};
  conv2d_forward_expand_depthwise(in.x, in.w_expand, in.p_expand, in.bn_expand, in.w_depthwise, in.p_depthwise,
                                  in.bn_depthwise, out.y, out.means);
  return out;
}

Outputs separate_ops(const Inputs& in) {
  Tensor e = Tensor::empty(expanded_shape(in), in.x.dtype());
  conv2d_forward_bn_act(in.x, in.w_expand, in.p_expand, in.bn_expand, e);
  Tensor y = Tensor::empty(conv2d_output_shape(e.shape(), in.w_depthwise.shape(), in.p_depthwise), e.dtype());
  conv2d_forward_bn_act(e, in.w_depthwise, in.p_depthwise, in.bn_depthwise, y);
  Tensor means = Tensor::empty({y.size(0), y.size(1)}, y.dtype());
  global_avgpool_forward(y, means);
  return {y, means};
}

class ConvExpandDepthwise : public ::testing::TestWithParam<ExpandCase> {};

TEST_P(ConvExpandDepthwise, SameBitsAsTheTwoConvolutionsAndThePool) {
  const int saved = cpu::num_threads();
  for (int threads : {1, 2}) {
    cpu::set_num_threads(threads);
    for (DType dtype : {DType::f32, DType::f64}) {
      for (Activation a : {Activation::none, Activation::relu, Activation::silu}) {
        const Inputs in = inputs(GetParam(), dtype, a);
        const std::string what = std::string(dtype == DType::f32 ? "f32" : "f64") + " activation " +
                                 std::to_string(static_cast<int>(a)) + ", " + std::to_string(threads) + " threads";
        const Outputs fused = one_pass(in), apart = separate_ops(in);
        test::expect_close(fused.y, apart.y, kSameBits, what);
        test::expect_close(fused.means, apart.means, kSameBits, what + ", means");
      }
    }
  }
  cpu::set_num_threads(saved);
}

INSTANTIATE_TEST_SUITE_P(Shapes, ConvExpandDepthwise, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ExpandCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(ConvExpandDepthwiseErrors, GroupsThatAreNotTheExpandedChannelsAreNamed) {
  Inputs in = inputs(kCases[0], DType::f32, Activation::silu);
  Outputs out = one_pass(in);
  in.p_depthwise.groups = 7;
  test::expect_error_containing([&] {
    conv2d_forward_expand_depthwise(in.x, in.w_expand, in.p_expand, in.bn_expand, in.w_depthwise, in.p_depthwise,
                                    in.bn_depthwise, out.y, out.means);
  }, "p_depthwise.groups is 7, expected the 21 expanded channels");
}

TEST(ConvExpandDepthwiseErrors, ResidualAndWrongStatisticsAreNamed) {
  Inputs in = inputs(kCases[0], DType::f32, Activation::silu);
  in.bn_depthwise.residual = one_pass(in).y;
  test::expect_error_containing([&] { one_pass(in); }, "a batch norm has a residual");
  in = inputs(kCases[0], DType::f32, Activation::silu);
  in.bn_expand.running_var = Tensor::zeros({5});
  test::expect_error_containing([&] { one_pass(in); }, "conv2d_forward_expand_depthwise: running_var");
}

TEST(ConvExpandDepthwiseErrors, OutputsOfTheWrongShapeAreNamed) {
  const Inputs in = inputs(kCases[1], DType::f32, Activation::silu);
  Outputs out = one_pass(in);
  Tensor y = Tensor::empty({4, 40, 11, 10});  // stride 1's shape, not stride 2's
  test::expect_error_containing([&] {
    conv2d_forward_expand_depthwise(in.x, in.w_expand, in.p_expand, in.bn_expand, in.w_depthwise, in.p_depthwise,
                                    in.bn_depthwise, y, out.means);
  }, "conv2d_forward_expand_depthwise: y");
  Tensor means = Tensor::empty({4, 39});
  test::expect_error_containing([&] {
    conv2d_forward_expand_depthwise(in.x, in.w_expand, in.p_expand, in.bn_expand, in.w_depthwise, in.p_depthwise,
                                    in.bn_depthwise, out.y, means);
  }, "conv2d_forward_expand_depthwise: means");
}

}  // namespace
}  // namespace ctcscope
