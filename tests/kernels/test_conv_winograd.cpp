// Winograd F(4x4, 3x3) (kernels/cpu/conv_winograd.h) against the plain double
// reference convolution on awkward shapes (maps not a multiple of 4, one
// pixel, padding 0 to 2, channel counts off the 16 lanes); its thread-count
// independence; its batch-norm epilogue; and the dispatch: an inference's
// conv2d_forward takes it where it pays, a training's or the switch off gives
// the direct sum.
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

// Winograd's error, as a share of the largest output: F(4x4, 3x3)'s
// transforms have entries up to 8 (A) and 5 (B) and weights scaled by 1/24
// (G), so its fp32 rounding is larger than the direct sum's. Measured on the
// cases below (unit-normal inputs and weights): at most 4.9e-6, where the
// direct f32 sum gives 0.1-0.7e-6; a wrong transform or a misplaced tile is
// off by order 1.
constexpr double kWinogradRelative = 2e-5;

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
    // More images than one chunk holds (kernels/cpu/conv_winograd.cpp, kChunkBytes).
    {"Map37x37ManyChunks", 3, 24, 37, 37, 20, 1},
};

Conv2dParams pad_params(std::int64_t pad) {
  Conv2dParams p;
  p.pad_h = p.pad_w = pad;
  return p;
}

cpu::WinogradShape forward_shape(const WinogradCase& c) {
  const std::int64_t P = c.H + 2 * c.pad - 2, Q = c.W + 2 * c.pad - 2;
  return {c.N, c.C, c.H, c.W, c.K, P, Q, c.pad, c.pad};
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
    const cpu::WinogradShape s = forward_shape(c);
    dy_ = random_normal({c.N, c.K, s.P, s.Q}, Seed{tag + ".dy"}, 0, 1, DType::f64);
  }

  Tensor forward(int threads, const InferenceBatchNorm* bn = nullptr) const {
    const cpu::WinogradShape s = forward_shape(GetParam());
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
  conv2d_forward(x_.to(DType::f32), w_.to(DType::f32), p, direct);
  const double err = relative_error(forward(2), ref);
  std::printf("%s: Winograd's error %.2e of the largest output, the direct sum's %.2e\n", GetParam().name, err,
              relative_error(direct, ref));
  EXPECT_LE(err, kWinogradRelative);
}

TEST_P(Winograd, SameBitsOnOneTwoAndThreeThreads) {
  const Tensor one = forward(1);
  test::expect_close(forward(2), one, {0, 0}, "2 threads");
  test::expect_close(forward(3), one, {0, 0}, "3 threads");
}

TEST_P(Winograd, BatchNormEpilogueGivesTheBitsOfTheSeparatePass) {
  const WinogradCase& c = GetParam();
  const std::string tag = std::string("winograd.bn.") + c.name;
  const Tensor gamma = random_normal({c.K}, Seed{tag + ".g"}, 1, 0.2, DType::f32);
  const Tensor beta = random_normal({c.K}, Seed{tag + ".b"}, 0, 0.2, DType::f32);
  const Tensor mean = random_normal({c.K}, Seed{tag + ".m"}, 0, 0.2, DType::f32);
  const Tensor var = random_uniform({c.K}, Seed{tag + ".v"}, 0.5, 1.5, DType::f32);
  const cpu::WinogradShape s = forward_shape(c);
  const Tensor residual = random_normal({s.N, s.K, s.P, s.Q}, Seed{tag + ".r"}, 0, 1, DType::f32);
  const InferenceBatchNorm bn{gamma, beta, mean, var, BatchNormParams{}, residual, Activation::relu};
  const Tensor fused = forward(2, &bn);
  Tensor separate = Tensor::empty(fused.shape(), DType::f32);
  batchnorm2d_forward_infer_act(forward(2), bn, separate);
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

// conv2d_forward takes Winograd on an inference's 3x3 stride-1 layer where it
// pays; a training's forward (fast_inference false) and the switch off keep
// the direct sum. Both are the convolution.
TEST(WinogradDispatch, OnlyInferenceGoesThroughWinogradAndTheSwitchTurnsItOff) {
  const WinogradCase c{"Layer", 2, 32, 19, 19, 32, 1};
  const cpu::WinogradShape s = forward_shape(c);
  ASSERT_TRUE(cpu::winograd_enabled());
  ASSERT_TRUE(cpu::winograd_pays(s));
  const Tensor x = random_normal({c.N, c.C, c.H, c.W}, Seed{"winograd.dispatch.x"}, 0, 1, DType::f32);
  const Tensor w = random_normal({c.K, c.C, 3, 3}, Seed{"winograd.dispatch.w"}, 0, 1, DType::f32);
  Tensor by_hand = Tensor::empty({c.N, c.K, s.P, s.Q}, DType::f32);
  cpu::winograd_forward(x.data<float>(), w.data<float>(), s, nullptr, by_hand.data<float>(), cpu::num_threads());
  Conv2dParams inference = pad_params(1), training = pad_params(1);
  inference.fast_inference = true;
  Tensor inferred = by_hand.clone(), trained = by_hand.clone(), switched_off = by_hand.clone();
  conv2d_forward(x, w, inference, inferred);
  conv2d_forward(x, w, training, trained);
  cpu::set_winograd(false);
  EXPECT_FALSE(cpu::winograd_pays(s));
  conv2d_forward(x, w, inference, switched_off);
  cpu::set_winograd(true);
  EXPECT_TRUE(same_bits(inferred, by_hand)) << "inference is not Winograd";
  EXPECT_FALSE(same_bits(trained, by_hand)) << "training took Winograd";
  EXPECT_TRUE(same_bits(switched_off, trained)) << "the switch off is not the direct sum";
  const Tensor ref = reference::conv2d_forward(x.to(DType::f64), w.to(DType::f64), pad_params(1));
  EXPECT_LE(relative_error(inferred, ref), kWinogradRelative);
  EXPECT_LE(relative_error(trained, ref), kWinogradRelative);
}

// Small maps waste most of a 4x4 tile: there the direct sum is kept.
TEST(WinogradDispatch, FiveByFiveMapsStayDirect) {
  EXPECT_FALSE(cpu::winograd_pays(forward_shape({"5x5", 16, 512, 5, 5, 512, 1})));
  EXPECT_TRUE(cpu::winograd_pays(forward_shape({"37x37", 16, 64, 37, 37, 64, 1})));
}

}  // namespace
}  // namespace ctcscope
