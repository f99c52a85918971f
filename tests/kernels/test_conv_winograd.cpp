// Winograd F(4x4, 3x3) and F(2x2, 3x3) (kernels/cpu/conv_winograd.h) against
// the plain double reference convolution on awkward shapes (maps not a
// multiple of the tile, one pixel, padding 0 to 2, channel counts off the 16
// lanes), forward and as backward data; their thread-count independence;
// the batch-norm epilogue; and the dispatch: an inference's conv2d_forward
// takes F(4x4) where it pays, a training's F(2x2), the switch off the direct sum.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "kernels/batchnorm.h"
#include "kernels/conv.h"
#include "kernels/cpu/context.h"
#include "kernels/cpu/conv_winograd.h"
#include "kernels/reference/reference.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// Winograd's error, as a share of the largest output. F(4x4, 3x3)'s
// transforms have entries up to 8 (A) and 5 (B) and weights scaled by 1/24
// (G), so its fp32 rounding is larger than the direct sum's. Measured on the
// cases below (unit-normal inputs and weights): F(4x4) at most 4.9e-6, where
// the direct f32 sum gives 0.1-0.7e-6; a wrong transform or a misplaced tile
// is off by order 1.
constexpr double kF4Relative = 2e-5;
// F(2x2, 3x3)'s transforms have entries 1 and 1/2, and each of its GEMMs sums
// C products where the direct sum sums 9C: measured at most 3.5e-7, no more
// than the direct sum's on the same case.
constexpr double kF2Relative = 1.5e-6;

double limit(int tile) { return tile == 4 ? kF4Relative : kF2Relative; }

struct WinogradCase {
  const char* name;
  std::int64_t N, C, H, W, K, pad;
};

void PrintTo(const WinogradCase& c, std::ostream* os) { *os << c.name; }

const WinogradCase kCases[] = {
    {"OnePixelPad1", 1, 1, 1, 1, 1, 1},
    {"Map7x11Pad1", 2, 3, 7, 11, 5, 1},
    {"Map9x9Pad0", 2, 17, 9, 9, 19, 0},
    {"Map6x13Pad2", 3, 5, 6, 13, 4, 2},
    {"Map4x4ExactTile", 1, 16, 4, 4, 16, 1},
    {"Map18x18Channels33", 2, 33, 18, 18, 16, 1},
    {"Map10x10Channels70", 1, 64, 10, 10, 70, 1},
    {"Map6x6Channels300", 2, 300, 6, 6, 40, 1},  // the sum over channels in two blocks of the GEMM's depth
    // More tiles than one chunk holds (kernels/cpu/conv_winograd.cpp, kChunkBytes).
    {"Map37x37ManyChunks", 3, 24, 37, 37, 20, 1},
};

const int kTiles[] = {4, 2};

Conv2dParams pad_params(std::int64_t pad) {
  Conv2dParams p;
  p.pad_h = p.pad_w = pad;
  return p;
}

cpu::WinogradShape forward_shape(const WinogradCase& c, int tile) {
  const std::int64_t P = c.H + 2 * c.pad - 2, Q = c.W + 2 * c.pad - 2;
  return {c.N, c.C, c.H, c.W, c.K, P, Q, c.pad, c.pad, tile};
}

// max|got - ref| / max|ref|, got in f32 and ref in f64.
double relative_error(const Tensor& got, const Tensor& ref) {
  double err = 0, scale = 0;
  for (std::int64_t i = 0; i < ref.numel(); ++i) {
    err = std::max(err, std::abs(static_cast<double>(got.data<float>()[i]) - ref.data<double>()[i]));
    scale = std::max(scale, std::abs(ref.data<double>()[i]));
  }
  return err / scale;
}

class Winograd : public ::testing::TestWithParam<WinogradCase> {
 protected:
  void SetUp() override {
    const WinogradCase& c = GetParam();
    const std::string tag = std::string("winograd.") + c.name;
    x_ = random_normal({c.N, c.C, c.H, c.W}, Seed{tag + ".x"}, 0, 1, DType::f64);
    w_ = random_normal({c.K, c.C, 3, 3}, Seed{tag + ".w"}, 0, 1, DType::f64);
    const cpu::WinogradShape s = forward_shape(c, 4);
    dy_ = random_normal({c.N, c.K, s.P, s.Q}, Seed{tag + ".dy"}, 0, 1, DType::f64);
  }

  Tensor forward(int tile, int threads, const InferenceBatchNorm* bn = nullptr) const {
    const cpu::WinogradShape s = forward_shape(GetParam(), tile);
    Tensor x = x_.to(DType::f32), w = w_.to(DType::f32);
    Tensor y = Tensor::full({s.N, s.K, s.P, s.Q}, std::nanf(""), DType::f32);  // every output assigned
    cpu::winograd_forward(x.data<float>(), w.data<float>(), s, bn, y.data<float>(), threads);
    return y;
  }

  Tensor x_, w_, dy_;
};

TEST_P(Winograd, ForwardMatchesTheDoubleReference) {
  const Conv2dParams p = pad_params(GetParam().pad);
  const Tensor ref = reference::conv2d_forward(x_, w_, p);
  Tensor direct = Tensor::empty(ref.shape(), DType::f32);
  cpu::set_winograd(0);
  conv2d_forward(x_.to(DType::f32), w_.to(DType::f32), p, direct);
  cpu::set_winograd(1);
  for (int tile : kTiles) {
    const double err = relative_error(forward(tile, 2), ref);
    std::printf("%s: F(%dx%d)'s error %.2e of the largest output, the direct sum's %.2e\n", GetParam().name,
                tile, tile, err, relative_error(direct, ref));
    EXPECT_LE(err, limit(tile)) << "F(" << tile << ")";
  }
}

TEST_P(Winograd, BackwardDataMatchesTheDoubleReference) {
  const WinogradCase& c = GetParam();
  const cpu::WinogradShape f = forward_shape(c, 4);
  const Tensor ref = reference::conv2d_backward_data(dy_, w_, x_.shape(), pad_params(c.pad));
  Tensor dy = dy_.to(DType::f32), w = w_.to(DType::f32);
  for (int tile : kTiles) {
    // dx = conv from dy's K channels to x's C with the taps turned, padding 2 - pad.
    const cpu::WinogradShape s{c.N, c.K, f.P, f.Q, c.C, c.H, c.W, 2 - c.pad, 2 - c.pad, tile, true};
    Tensor dx = Tensor::full(x_.shape(), std::nanf(""), DType::f32);
    cpu::winograd_forward(dy.data<float>(), w.data<float>(), s, nullptr, dx.data<float>(), 2);
    const double err = relative_error(dx, ref);
    std::printf("%s backward data: F(%dx%d)'s error %.2e of the largest output\n", c.name, tile, tile, err);
    EXPECT_LE(err, limit(tile)) << "F(" << tile << ")";
  }
}

TEST_P(Winograd, SameBitsOnOneTwoAndThreeThreads) {
  for (int tile : kTiles) {
    const Tensor one = forward(tile, 1);
    test::expect_close(forward(tile, 2), one, {0, 0}, "2 threads");
    test::expect_close(forward(tile, 3), one, {0, 0}, "3 threads");
  }
}

TEST_P(Winograd, BatchNormEpilogueGivesTheBitsOfTheSeparatePass) {
  const WinogradCase& c = GetParam();
  const std::string tag = std::string("winograd.bn.") + c.name;
  const Tensor gamma = random_normal({c.K}, Seed{tag + ".g"}, 1, 0.2, DType::f32);
  const Tensor beta = random_normal({c.K}, Seed{tag + ".b"}, 0, 0.2, DType::f32);
  const Tensor mean = random_normal({c.K}, Seed{tag + ".m"}, 0, 0.2, DType::f32);
  const Tensor var = random_uniform({c.K}, Seed{tag + ".v"}, 0.5, 1.5, DType::f32);
  const cpu::WinogradShape s = forward_shape(c, 4);
  const Tensor residual = random_normal({s.N, s.K, s.P, s.Q}, Seed{tag + ".r"}, 0, 1, DType::f32);
  const InferenceBatchNorm bn{gamma, beta, mean, var, BatchNormParams{}, residual, Activation::relu};
  const Tensor fused = forward(4, 2, &bn);
  Tensor separate = Tensor::empty(fused.shape(), DType::f32);
  batchnorm2d_forward_infer_act(forward(4, 2), bn, separate);
  test::expect_close(fused, separate, {0, 0}, "fused");
}

INSTANTIATE_TEST_SUITE_P(Shapes, Winograd, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<WinogradCase>& info) {
                           return std::string(info.param.name);
                         });

// Direct and Winograd outputs of one layer differ in their last bits: which
// one conv2d_forward gave can be told by comparing with winograd_forward.
bool same_bits(const Tensor& a, const Tensor& b) {
  for (std::int64_t i = 0; i < a.numel(); ++i)
    if (a.data<float>()[i] != b.data<float>()[i]) return false;
  return true;
}

// conv2d_forward takes F(4x4) on an inference's 3x3 stride-1 layer where it
// pays, F(2x2) on a training's (fast_inference false), and the direct sum
// with the switch off; conv2d_backward_data F(2x2). All are the convolution.
TEST(WinogradDispatch, InferenceTakesF4TrainingF2AndTheSwitchTurnsBothOff) {
  const WinogradCase c{"Layer", 2, 32, 19, 19, 32, 1};
  ASSERT_EQ(cpu::winograd_setting(), 1);
  ASSERT_EQ(cpu::winograd_tile(forward_shape(c, 0), false), 4);
  ASSERT_EQ(cpu::winograd_tile(forward_shape(c, 0), true), 2);
  const Tensor x = random_normal({c.N, c.C, c.H, c.W}, Seed{"winograd.dispatch.x"}, 0, 1, DType::f32);
  const Tensor w = random_normal({c.K, c.C, 3, 3}, Seed{"winograd.dispatch.w"}, 0, 1, DType::f32);
  const cpu::WinogradShape s4 = forward_shape(c, 4), s2 = forward_shape(c, 2);
  Tensor f4 = Tensor::empty({c.N, c.K, s4.P, s4.Q}, DType::f32), f2 = f4.clone();
  cpu::winograd_forward(x.data<float>(), w.data<float>(), s4, nullptr, f4.data<float>(), cpu::num_threads());
  cpu::winograd_forward(x.data<float>(), w.data<float>(), s2, nullptr, f2.data<float>(), cpu::num_threads());
  Conv2dParams inference = pad_params(1), training = pad_params(1);
  inference.fast_inference = true;
  Tensor inferred = f4.clone(), trained = f4.clone(), off_inferred = f4.clone(), off_trained = f4.clone();
  conv2d_forward(x, w, inference, inferred);
  conv2d_forward(x, w, training, trained);
  cpu::set_winograd(0);
  EXPECT_EQ(cpu::winograd_tile(s4, false), 0);
  conv2d_forward(x, w, inference, off_inferred);
  conv2d_forward(x, w, training, off_trained);
  cpu::set_winograd(1);
  EXPECT_TRUE(same_bits(inferred, f4)) << "inference is not F(4x4)";
  EXPECT_TRUE(same_bits(trained, f2)) << "training is not F(2x2)";
  EXPECT_TRUE(same_bits(off_inferred, off_trained)) << "the switch off is not one direct sum";
  EXPECT_FALSE(same_bits(off_trained, f2)) << "the switch changed nothing";
  const Tensor ref = reference::conv2d_forward(x.to(DType::f64), w.to(DType::f64), pad_params(1));
  EXPECT_LE(relative_error(inferred, ref), kF4Relative);
  EXPECT_LE(relative_error(trained, ref), kF2Relative);
  EXPECT_LE(relative_error(off_trained, ref), kF2Relative);
}

// CTC_WINOGRAD=2 or 4 allows only that tile; small maps waste most of a 4x4
// tile, few channels leave too little GEMM for the transforms, and few tiles
// for many weights too little for transforming and packing the weights.
TEST(WinogradDispatch, TileChoice) {
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"37x37", 16, 64, 37, 37, 64, 1}, 0), false), 4);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"5x5", 16, 256, 5, 5, 256, 1}, 0), false), 2);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"5x5, 512", 16, 512, 5, 5, 512, 1}, 0), false), 0);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"10x10, one image", 1, 256, 10, 10, 256, 1}, 0), false), 0);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"1x1", 16, 256, 1, 1, 256, 1}, 0), false), 0);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"8 channels", 16, 8, 37, 37, 64, 1}, 0), false), 0);
  cpu::set_winograd(2);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"37x37", 16, 64, 37, 37, 64, 1}, 0), false), 2);
  cpu::set_winograd(4);
  EXPECT_EQ(cpu::winograd_tile(forward_shape({"37x37", 16, 64, 37, 37, 64, 1}, 0), true), 0);
  cpu::set_winograd(1);
}

}  // namespace
}  // namespace ctcscope
