// 2-D convolution on the CPU: forward against the plain double reference
// (kernels/reference/), backward against central differences, assign/accumulate semantics,
// thread-count independence, and the entry point's argument errors.
// Shapes are awkward on purpose: odd H and W, every stride/padding/groups case.
#include <cmath>
#include <limits>
#include <ostream>
#include <string>

#include "kernels/conv.h"
#include "kernels/cpu/context.h"
#include "kernels/cpu/gemm.h"
#include "kernels/reference/reference.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::Tolerance;
namespace tol = test::tol;

// f32 against f64 of the same convolution: each output sums C/g*R*S (up to
// ~150 here) products of unit normals in fp32, so rounding reaches ~1e-5.
constexpr Tolerance kConvFp32{1e-4, 1e-4};

struct ConvCase {
  const char* name;
  std::int64_t N, C, H, W, K, R, S;
  Conv2dParams p;
};

// gtest prints a failing case by its name.
void PrintTo(const ConvCase& c, std::ostream* os) { *os << c.name; }

Conv2dParams params(std::int64_t sh, std::int64_t sw, std::int64_t ph, std::int64_t pw,
                    std::int64_t dh = 1, std::int64_t dw = 1, std::int64_t groups = 1) {
  Conv2dParams p;
  p.stride_h = sh, p.stride_w = sw, p.pad_h = ph, p.pad_w = pw;
  p.dilation_h = dh, p.dilation_w = dw, p.groups = groups;
  return p;
}

const ConvCase kCases[] = {
    {"Basic3x3_7x9", 2, 3, 7, 9, 4, 3, 3, params(1, 1, 1, 1)},
    {"Stride2_11x5", 2, 3, 11, 5, 4, 3, 3, params(2, 2, 1, 1)},
    {"Stride3Pad0", 2, 2, 11, 9, 3, 3, 3, params(3, 3, 0, 0)},
    {"NonSquareStridePad", 2, 3, 9, 11, 2, 3, 3, params(2, 1, 1, 0)},
    {"Pad3NonSquare", 1, 2, 5, 7, 3, 3, 3, params(1, 1, 3, 1)},
    {"Dilation2", 2, 2, 9, 9, 3, 3, 3, params(1, 1, 2, 2, 2, 2)},
    {"DilationNonSquare", 2, 2, 9, 8, 2, 3, 2, params(2, 1, 1, 2, 2, 3)},
    {"Dilation2Stride2EvenWidth", 2, 2, 9, 10, 3, 3, 3, params(2, 2, 2, 2, 2, 2)},
    {"Groups2", 2, 4, 7, 9, 6, 3, 3, params(1, 1, 1, 1, 1, 1, 2)},
    {"Groups3Stride2", 2, 6, 7, 9, 3, 3, 3, params(2, 2, 1, 1, 1, 1, 3)},
    {"Depthwise", 2, 4, 7, 9, 4, 3, 3, params(1, 1, 1, 1, 1, 1, 4)},
    {"DepthwiseStride2Dilation2", 2, 3, 11, 8, 3, 3, 3, params(2, 2, 2, 1, 2, 1, 3)},
    {"Depthwise5x5Stride1x2", 2, 3, 7, 9, 3, 5, 5, params(1, 2, 2, 2, 1, 1, 3)},
    {"DepthwiseMultiplier2", 2, 3, 7, 9, 6, 3, 3, params(1, 1, 1, 1, 1, 1, 3)},
    // More channels than a block of lanes (8 in f64, 16 in f32), the last block partial.
    {"DepthwiseRaggedBlocks19", 2, 19, 6, 7, 19, 3, 3, params(1, 1, 1, 1, 1, 1, 19)},
    // The last input row and column are read by no output: their dx is 0.
    {"DepthwiseStride2UnreadRow", 2, 5, 8, 8, 5, 3, 3, params(2, 2, 0, 0, 1, 1, 5)},
    {"Pointwise", 2, 5, 7, 9, 4, 1, 1, params(1, 1, 0, 0)},
    {"PointwiseOneImage", 1, 5, 7, 9, 4, 1, 1, params(1, 1, 0, 0)},
    {"PointwiseBatch3", 3, 5, 7, 9, 4, 1, 1, params(1, 1, 0, 0)},
    {"PointwiseGroups2", 2, 4, 5, 7, 6, 1, 1, params(1, 1, 0, 0, 1, 1, 2)},
    {"PointwiseStride2", 2, 4, 7, 9, 3, 1, 1, params(2, 2, 0, 0)},
    {"Stem7x7Stride2Pad3", 2, 3, 13, 11, 4, 7, 7, params(2, 2, 3, 3)},
    {"Kernel1x3", 2, 3, 7, 9, 2, 1, 3, params(1, 1, 0, 1)},
    {"Kernel3x1Stride1x2", 2, 3, 7, 9, 2, 3, 1, params(1, 2, 1, 0)},
    {"LargeMap17x17", 2, 2, 17, 17, 3, 3, 3, params(1, 1, 1, 1)},
    {"Batch5UnevenThreads", 5, 2, 5, 5, 3, 3, 3, params(1, 1, 1, 1)},
    {"Batch7RaggedChunks", 7, 2, 10, 10, 3, 3, 3, params(1, 1, 1, 1)},
};

class Conv2dCpu : public ::testing::TestWithParam<ConvCase> {
 protected:
  // Inputs in f64, drawn from the seeded generator per case.
  void SetUp() override {
    const ConvCase& c = GetParam();
    const std::string tag = std::string("conv.") + c.name;
    x_ = random_normal({c.N, c.C, c.H, c.W}, Seed{tag + ".x"}, 0, 1, DType::f64);
    w_ = random_normal({c.K, c.C / c.p.groups, c.R, c.S}, Seed{tag + ".w"}, 0, 1, DType::f64);
    y_shape_ = conv2d_output_shape(x_.shape(), w_.shape(), c.p);
    r_ = random_normal(y_shape_, Seed{tag + ".r"}, 0, 1, DType::f64);
  }

  Tensor forward(const Tensor& x, const Tensor& w) const {
    Tensor y = Tensor::empty(y_shape_, x.dtype());
    conv2d_forward(x, w, GetParam().p, y);
    return y;
  }

  Tensor x_, w_, r_;
  Shape y_shape_;
};

TEST_P(Conv2dCpu, ForwardMatchesNaive) {
  test::expect_close(forward(x_, w_), reference::conv2d_forward(x_, w_, GetParam().p), tol::kDouble, "y");
}

TEST_P(Conv2dCpu, ForwardF32MatchesF64) {
  Tensor y32 = forward(x_.to(DType::f32), w_.to(DType::f32));
  test::expect_close(y32, forward(x_, w_), kConvFp32, "y f32");
}

// Both backward passes in f32 against f64 (which the finite differences
// hold), as the forward above.
TEST_P(Conv2dCpu, BackwardF32MatchesF64) {
  const Conv2dParams& p = GetParam().p;
  Tensor dx = Tensor::empty(x_.shape(), DType::f64), dw = Tensor::zeros(w_.shape(), DType::f64);
  conv2d_backward_data(r_, w_, p, dx);
  conv2d_backward_filter(r_, x_, p, dw);
  Tensor dx32 = Tensor::empty(x_.shape(), DType::f32), dw32 = Tensor::zeros(w_.shape(), DType::f32);
  conv2d_backward_data(r_.to(DType::f32), w_.to(DType::f32), p, dx32);
  conv2d_backward_filter(r_.to(DType::f32), x_.to(DType::f32), p, dw32);
  test::expect_close(dx32, dx, kConvFp32, "dx f32");
  test::expect_close(dw32, dw, kConvFp32, "dw f32");
}

TEST_P(Conv2dCpu, BackwardDataMatchesFiniteDifferences) {
  Tensor dx = Tensor::empty(x_.shape(), DType::f64);
  conv2d_backward_data(r_, w_, GetParam().p, dx);
  Tensor numeric = test::numeric_gradient(x_, [&] { return test::dot(forward(x_, w_), r_); });
  test::expect_close(dx, numeric, tol::kFiniteDiff, "dx");
}

TEST_P(Conv2dCpu, BackwardFilterMatchesFiniteDifferences) {
  Tensor dw = Tensor::zeros(w_.shape(), DType::f64);
  conv2d_backward_filter(r_, x_, GetParam().p, dw);
  Tensor numeric = test::numeric_gradient(w_, [&] { return test::dot(forward(x_, w_), r_); });
  test::expect_close(dw, numeric, tol::kFiniteDiff, "dw");
}

TEST_P(Conv2dCpu, DataIsAssignedFilterIsAccumulated) {
  const Conv2dParams& p = GetParam().p;
  Tensor dx_ref = Tensor::empty(x_.shape(), DType::f64);
  conv2d_backward_data(r_, w_, p, dx_ref);
  Tensor dx = Tensor::full(x_.shape(), std::numeric_limits<double>::quiet_NaN(), DType::f64);
  conv2d_backward_data(r_, w_, p, dx);
  test::expect_close(dx, dx_ref, tol::kDouble, "dx over NaN");

  Tensor once = Tensor::zeros(w_.shape(), DType::f64);
  conv2d_backward_filter(r_, x_, p, once);
  Tensor twice = Tensor::zeros(w_.shape(), DType::f64);
  conv2d_backward_filter(r_, x_, p, twice);
  conv2d_backward_filter(r_, x_, p, twice);
  Tensor doubled = once.clone();
  for (std::int64_t i = 0; i < doubled.numel(); ++i) doubled.data<double>()[i] *= 2;
  test::expect_close(twice, doubled, tol::kDouble, "dw twice");
}

// All three ops in f32 with `threads` OpenMP threads (restored afterwards).
struct Results {
  Tensor y, dx, dw;
};

Results run_f32(const Tensor& x, const Tensor& w, const Tensor& r, const Conv2dParams& p,
                int threads) {
  const int saved = cpu::num_threads();
  cpu::set_num_threads(threads);
  Results out;
  Tensor x32 = x.to(DType::f32), w32 = w.to(DType::f32), r32 = r.to(DType::f32);
  out.y = Tensor::empty(r.shape(), DType::f32);
  conv2d_forward(x32, w32, p, out.y);
  out.dx = Tensor::empty(x.shape(), DType::f32);
  conv2d_backward_data(r32, w32, p, out.dx);
  out.dw = Tensor::zeros(w.shape(), DType::f32);
  conv2d_backward_filter(r32, x32, p, out.dw);
  cpu::set_num_threads(saved);
  return out;
}

TEST_P(Conv2dCpu, SameResultWithOneAndTwoThreads) {
  Results one = run_f32(x_, w_, r_, GetParam().p, 1);
  Results two = run_f32(x_, w_, r_, GetParam().p, 2);
  test::expect_close(two.y, one.y, tol::kStrictFp32, "y");
  test::expect_close(two.dx, one.dx, tol::kStrictFp32, "dx");
  test::expect_close(two.dw, one.dw, tol::kStrictFp32, "dw");
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dCpu, ::testing::ValuesIn(kCases),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           return std::string(info.param.name);
                         });

// Layer-sized shapes (above the kernel's threshold for using threads): the
// batch is split over threads and cut into chunks, or one image's GEMMs are
// split by Eigen. The small cases above run on one thread whatever the count,
// so these prove the threaded paths equal to the single-threaded one.
const ConvCase kLayerCases[] = {
    {"Layer3x3Batch4", 4, 32, 12, 12, 48, 3, 3, params(1, 1, 1, 1)},
    {"Layer3x3OneImage", 1, 64, 20, 20, 64, 3, 3, params(1, 1, 1, 1)},
    {"Layer1x1Batch3", 3, 96, 10, 10, 64, 1, 1, params(1, 1, 0, 0)},
    {"Layer3x3Stride2Batch6", 6, 32, 9, 9, 40, 3, 3, params(2, 2, 1, 1)},
    {"Layer3x3Batch7RaggedChunks", 7, 16, 10, 10, 16, 3, 3, params(1, 1, 1, 1)},
    {"LayerGroups4Batch3", 3, 32, 11, 13, 32, 3, 3, params(2, 1, 1, 1, 1, 1, 4)},
    {"LayerDepthwiseBatch3", 3, 48, 23, 21, 48, 3, 3, params(1, 1, 1, 1, 1, 1, 48)},
    {"LayerDepthwiseOneImage", 1, 96, 32, 32, 96, 5, 5, params(2, 2, 2, 2, 1, 1, 96)},
    {"LayerDepthwiseRaggedBlocks", 3, 37, 10, 10, 37, 5, 5, params(1, 1, 2, 2, 1, 1, 37)},
    // Full blocks of 16 float channels on a map of fewer than 16 pixels (no
    // transposes), and on rows under 16 wide with an unread last row and column.
    {"LayerDepthwiseTinyMap", 2, 32, 3, 3, 32, 3, 3, params(1, 1, 1, 1, 1, 1, 32)},
    {"LayerDepthwiseStride2UnreadEdge", 3, 32, 8, 12, 32, 3, 3, params(2, 2, 0, 0, 1, 1, 32)},
    // Deep sums on small maps (ResNet's late layers, ResNet18's at 64x64):
    // sums over several blocks of the GEMM's depth, B's narrow last panels,
    // the weight gradient with few and many columns of dW.
    {"Layer3x3Stride2Deep", 4, 128, 8, 8, 256, 3, 3, params(2, 2, 1, 1)},
    {"Layer1x1Stride2Deep", 3, 300, 5, 5, 40, 1, 1, params(2, 2, 0, 0)},
    {"Layer1x1Stride2Wide", 4, 128, 8, 8, 256, 1, 1, params(2, 2, 0, 0)},
    {"Layer3x3DeepOneImage", 1, 70, 4, 6, 30, 3, 3, params(1, 1, 1, 1)},
};

// The case's input, weights and upstream gradient, in f64.
class Conv2dCpuLayer : public ::testing::TestWithParam<ConvCase> {
 protected:
  void SetUp() override {
    const ConvCase& c = GetParam();
    const std::string tag = std::string("conv.layer.") + c.name;
    x_ = random_normal({c.N, c.C, c.H, c.W}, Seed{tag + ".x"}, 0, 1, DType::f64);
    w_ = random_normal({c.K, c.C / c.p.groups, c.R, c.S}, Seed{tag + ".w"}, 0, 0.1, DType::f64);
    r_ = random_normal(conv2d_output_shape(x_.shape(), w_.shape(), c.p), Seed{tag + ".r"}, 0, 1, DType::f64);
  }
  Tensor x_, w_, r_;
};

TEST_P(Conv2dCpuLayer, ThreadCountAndRepeatability) {
  const ConvCase& c = GetParam();
  Results one = run_f32(x_, w_, r_, c.p, 1);
  Results two = run_f32(x_, w_, r_, c.p, 2);
  Results again = run_f32(x_, w_, r_, c.p, 2);
  // Reductions over up to N*P*Q = 400 terms of unit scale: a different
  // summation order with another thread count moves fp32 sums by ~1e-5 relative.
  constexpr Tolerance kThreadOrder{1e-4, 1e-5};
  test::expect_close(two.y, one.y, kThreadOrder, "y");
  test::expect_close(two.dx, one.dx, kThreadOrder, "dx");
  test::expect_close(two.dw, one.dw, kThreadOrder, "dw");
  constexpr Tolerance kSameBits{0, 0};  // same thread count: same order, same bits
  test::expect_close(again.y, two.y, kSameBits, "y again");
  test::expect_close(again.dx, two.dx, kSameBits, "dx again");
  test::expect_close(again.dw, two.dw, kSameBits, "dw again");
  // And the f32 passes are still the convolution and its gradients (the f64
  // ones, which the finite differences above hold). Normwise: dw sums up to
  // N*P*Q products, dx K*R*S; f32 rounding of such sums is about 1e-6 of the
  // largest; a wrong tile or block is off by order 1.
  constexpr double kF32Relative = 2e-5;
  test::expect_close(two.y, reference::conv2d_forward(x_, w_, c.p), kConvFp32, "y vs reference");
  Tensor dx = Tensor::empty(x_.shape(), DType::f64), dw = Tensor::zeros(w_.shape(), DType::f64);
  conv2d_backward_data(r_, w_, c.p, dx);
  conv2d_backward_filter(r_, x_, c.p, dw);
  test::expect_relative_error(two.dx, dx, kF32Relative, "dx vs f64");
  test::expect_relative_error(two.dw, dw, kF32Relative, "dw vs f64");
}

// The forward and the backward data compute each image's output in its chunk
// alone, and any thread may run any chunk (the faster takes more): with the
// engine's GEMM, whose bits do not depend on how its columns are split, the
// results are the same bits with 1, 2 or 3 threads, whatever chunks they make.
// (The weight gradient's per-thread sums keep fixed runs of images, so its
// sums depend on the thread count, as ThreadCountAndRepeatability allows.)
TEST_P(Conv2dCpuLayer, ForwardAndBackwardDataSameBitsWithAnyThreadCount) {
  if (!cpu::gemm_available()) GTEST_SKIP() << "needs the engine's GEMM (a CPU with AVX2+FMA or AVX-512)";
  const ConvCase& c = GetParam();
  Results one = run_f32(x_, w_, r_, c.p, 1);
  constexpr Tolerance kSameBits{0, 0};
  for (int threads : {2, 3}) {
    Results many = run_f32(x_, w_, r_, c.p, threads);
    test::expect_close(many.y, one.y, kSameBits, "y");
    test::expect_close(many.dx, one.dx, kSameBits, "dx");
  }
}

// The GEMM's vector paths (kernels/cpu/gemm.h) give the convolutions the
// same bits, Winograd's included: one binary, the same results on an AVX2
// machine as on an AVX-512 one.
TEST_P(Conv2dCpuLayer, SameBitsOnEveryGemmPath) {
  if (!cpu::gemm_path_supported(cpu::GemmPath::avx512) || !cpu::gemm_path_supported(cpu::GemmPath::avx2))
    GTEST_SKIP() << "needs a CPU with both AVX2 and AVX-512 to compare them";
  const ConvCase& c = GetParam();
  const cpu::GemmPath best = cpu::gemm_path();
  ASSERT_TRUE(cpu::set_gemm_path(cpu::GemmPath::avx2));
  Results avx2 = run_f32(x_, w_, r_, c.p, 2);
  ASSERT_TRUE(cpu::set_gemm_path(cpu::GemmPath::avx512));
  Results avx512 = run_f32(x_, w_, r_, c.p, 2);
  cpu::set_gemm_path(best);
  constexpr Tolerance kSameBits{0, 0};
  test::expect_close(avx2.y, avx512.y, kSameBits, "y");
  test::expect_close(avx2.dx, avx512.dx, kSameBits, "dx");
  test::expect_close(avx2.dw, avx512.dw, kSameBits, "dw");
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dCpuLayer, ::testing::ValuesIn(kLayerCases),
                         [](const ::testing::TestParamInfo<ConvCase>& info) {
                           return std::string(info.param.name);
                         });

// The message of the error `call` throws, or "" when it does not throw.
template <class Call>
std::string error_of(Call call) {
  try {
    call();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Conv2dErrors, MismatchedWeightNamesTheArgument) {
  Tensor x = Tensor::zeros({2, 3, 7, 9});
  Tensor w = Tensor::zeros({4, 2, 3, 3});
  Tensor y = Tensor::zeros({2, 4, 5, 7});
  const std::string msg = error_of([&] { conv2d_forward(x, w, Conv2dParams{}, y); });
  EXPECT_NE(msg.find("conv2d_forward: w has shape [4,2,3,3]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("C/groups=3"), std::string::npos) << msg;
}

TEST(Conv2dErrors, GroupsMustDivideChannels) {
  Conv2dParams p;
  p.groups = 2;
  const std::string msg = error_of([&] { conv2d_output_shape({1, 3, 5, 5}, {4, 1, 3, 3}, p); });
  EXPECT_NE(msg.find("not divisible by groups=2"), std::string::npos) << msg;
  const std::string msg_k =
      error_of([&] { conv2d_output_shape({1, 4, 5, 5}, {3, 2, 3, 3}, p); });
  EXPECT_NE(msg_k.find("K=3"), std::string::npos) << msg_k;
}

TEST(Conv2dErrors, WrongOutputShapeNamesY) {
  Tensor x = Tensor::zeros({2, 3, 7, 9});
  Tensor w = Tensor::zeros({4, 3, 3, 3});
  Tensor y = Tensor::zeros({2, 4, 7, 9});
  const std::string msg = error_of([&] { conv2d_forward(x, w, Conv2dParams{}, y); });
  EXPECT_NE(msg.find("conv2d_forward: y has shape [2,4,7,9], expected [2,4,5,7]"),
            std::string::npos)
      << msg;
}

TEST(Conv2dErrors, MixedDtypesNameTheArgument) {
  Tensor dy = Tensor::zeros({2, 4, 5, 7});
  Tensor x = Tensor::zeros({2, 3, 7, 9}, DType::f64);
  Tensor dw = Tensor::zeros({4, 3, 3, 3});
  const std::string msg = error_of([&] { conv2d_backward_filter(dy, x, Conv2dParams{}, dw); });
  EXPECT_NE(msg.find("conv2d_backward_filter: x is f64"), std::string::npos) << msg;
}

TEST(Conv2dErrors, BackwardDataChecksDyAgainstDx) {
  Tensor dy = Tensor::zeros({2, 4, 6, 7});
  Tensor w = Tensor::zeros({4, 3, 3, 3});
  Tensor dx = Tensor::zeros({2, 3, 7, 9});
  const std::string msg = error_of([&] { conv2d_backward_data(dy, w, Conv2dParams{}, dx); });
  EXPECT_NE(msg.find("conv2d_backward_data: dy has shape [2,4,6,7], expected [2,4,5,7]"),
            std::string::npos)
      << msg;
}

TEST(Conv2dErrors, BadParamsAndEmptyOutput) {
  Conv2dParams p;
  p.stride_h = 0;
  EXPECT_NE(error_of([&] { conv2d_output_shape({1, 3, 5, 5}, {4, 3, 3, 3}, p); }).find("stride"),
            std::string::npos);
  EXPECT_NE(error_of([&] { conv2d_output_shape({1, 3, 2, 5}, {4, 3, 3, 3}, {}); })
                .find("output would be empty"),
            std::string::npos);
  EXPECT_NE(error_of([&] { conv2d_output_shape({3, 5, 5}, {4, 3, 3, 3}, {}); }).find("NCHW"),
            std::string::npos);
  EXPECT_EQ(conv2d_output_shape({16, 3, 148, 148}, {64, 3, 7, 7}, params(2, 2, 3, 3)),
            (Shape{16, 64, 74, 74}));
}

TEST(Conv2dErrors, IntegerTensorsAreRefused) {
  Tensor x = Tensor::zeros({1, 1, 3, 3}, DType::i32);
  Tensor w = Tensor::zeros({1, 1, 1, 1}, DType::i32);
  Tensor y = Tensor::zeros({1, 1, 3, 3}, DType::i32);
  const std::string msg = error_of([&] { conv2d_forward(x, w, Conv2dParams{}, y); });
  EXPECT_NE(msg.find("expected f32 or f64"), std::string::npos) << msg;
}

}  // namespace
}  // namespace ctcscope
