// conv2d on the GPU (cuDNN) against the CPU twin, in strict fp32 and TF32,
// over stride/padding/dilation/groups cases with odd sizes; backward-filter
// accumulates; deterministic mode gives the same bits twice. The networks'
// own shapes too (wide channels, where cuDNN's heuristics put tensor-core
// algorithms first): strict fp32 must pass those over and still find one.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/conv.h"
#include "tests/support/gpu_math_scope.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

struct ConvCase {
  const char* name;
  Shape x, w;
  Conv2dParams p;
};

std::vector<ConvCase> cases() {
  Conv2dParams s2{2, 2, 1, 1, 1, 1, 1};
  Conv2dParams dil{1, 2, 2, 1, 2, 2, 1};
  Conv2dParams grouped{1, 1, 1, 1, 1, 1, 3};
  Conv2dParams depthwise{2, 2, 1, 1, 1, 1, 6};
  return {{"3x3_pad1", {3, 5, 9, 11}, {7, 5, 3, 3}, {1, 1, 1, 1, 1, 1, 1}},
          {"3x3_stride2", {2, 4, 13, 7}, {6, 4, 3, 3}, s2},
          {"1x1", {3, 8, 5, 5}, {5, 8, 1, 1}, {}},
          {"7x7_stride2_pad3", {2, 3, 23, 21}, {8, 3, 7, 7}, {2, 2, 3, 3, 1, 1, 1}},
          {"dilated_asym", {2, 3, 15, 12}, {4, 3, 3, 2}, dil},
          {"groups3", {3, 6, 9, 8}, {9, 2, 3, 3}, grouped},
          {"depthwise", {2, 6, 11, 9}, {6, 1, 3, 3}, depthwise}};
}

struct Results {
  Tensor y, dx, dw;
};

Results run(const ConvCase& c, bool gpu, const Tensor& x, const Tensor& w, const Tensor& dy,
            const Tensor& dw0) {
  auto on = [&](const Tensor& t) { return gpu ? test::to_gpu(t) : t.clone(); };
  const Device d = gpu ? Device::cuda : Device::cpu;
  Tensor y = Tensor::empty(conv2d_output_shape(c.x, c.w, c.p), DType::f32, d);
  Tensor dx = Tensor::full(c.x, NAN).to_device(d);
  Tensor dw = on(dw0);
  conv2d_forward(on(x), on(w), c.p, y);
  conv2d_backward_data(on(dy), on(w), c.p, dx);
  conv2d_backward_filter(on(dy), on(x), c.p, dw);
  return {test::to_host(y), test::to_host(dx), test::to_host(dw)};
}

// Layers of ResNet50, DenseNet121 and EfficientNet-B4 at 148x148 input
// (batch 2: the CPU twin is the reference).
std::vector<ConvCase> model_cases() {
  Conv2dParams same3{1, 1, 1, 1, 1, 1, 1};
  Conv2dParams stem{2, 2, 3, 3, 1, 1, 1};
  Conv2dParams dw144{1, 1, 1, 1, 1, 1, 144};
  return {{"resnet_stem_7x7", {2, 3, 148, 148}, {64, 3, 7, 7}, stem},
          {"resnet_3x3_64", {2, 64, 37, 37}, {64, 64, 3, 3}, same3},
          {"resnet_1x1_256_to_64", {2, 256, 37, 37}, {64, 256, 1, 1}, {}},
          {"resnet_3x3_512", {2, 512, 5, 5}, {512, 512, 3, 3}, same3},
          {"densenet_1x1_bottleneck", {2, 288, 19, 19}, {128, 288, 1, 1}, {}},
          {"efficientnet_depthwise_144", {2, 144, 37, 37}, {144, 1, 3, 3}, dw144}};
}

void compare(const GpuMath& math, double tolerance, const std::vector<ConvCase>& list = cases()) {
  test::GpuMathScope scope(math);
  std::uint64_t i = 0;
  for (const ConvCase& c : list) {
    SCOPED_TRACE(c.name);
    Tensor x = random_normal(c.x, Seed{"conv.cuda.x", i});
    Tensor w = random_normal(c.w, Seed{"conv.cuda.w", i});
    Tensor dy = random_normal(conv2d_output_shape(c.x, c.w, c.p), Seed{"conv.cuda.dy", i});
    Tensor dw0 = random_normal(c.w, Seed{"conv.cuda.dw0", i});  // dw accumulates onto this
    ++i;
    Results cpu = run(c, false, x, w, dy, dw0);
    Results gpu = run(c, true, x, w, dy, dw0);
    test::expect_relative_error(gpu.y, cpu.y, tolerance, "y");
    test::expect_relative_error(gpu.dx, cpu.dx, tolerance, "dx");
    test::expect_relative_error(gpu.dw, cpu.dw, tolerance, "dw (accumulated)");
  }
}

TEST(ConvCuda, MatchesCpuStrictFp32) {
  CTC_REQUIRE_CUDA();
  compare(test::kStrict, test::tol::kGpuStrictFp32Relative);
}

TEST(ConvCuda, ModelShapesMatchCpuStrictFp32) {
  CTC_REQUIRE_CUDA();
  compare(test::kStrict, test::tol::kGpuStrictFp32Relative, model_cases());
}

TEST(ConvCuda, ModelShapesMatchCpuTf32) {
  CTC_REQUIRE_CUDA();
  compare(test::kTf32, test::tol::kGpuTf32Relative, model_cases());
}

TEST(ConvCuda, MatchesCpuTf32) {
  CTC_REQUIRE_CUDA();
  compare(test::kTf32, test::tol::kGpuTf32Relative);
}

TEST(ConvCuda, DeterministicModeGivesSameBitsTwice) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kDeterministic);
  const ConvCase c = cases()[3];
  Tensor x = random_normal(c.x, Seed{"conv.det.x"});
  Tensor w = random_normal(c.w, Seed{"conv.det.w"});
  Tensor dy = random_normal(conv2d_output_shape(c.x, c.w, c.p), Seed{"conv.det.dy"});
  Tensor dw0 = Tensor::zeros(c.w);
  Results a = run(c, true, x, w, dy, dw0);
  Results b = run(c, true, x, w, dy, dw0);
  test::expect_close(a.y, b.y, {0, 0}, "y");
  test::expect_close(a.dx, b.dx, {0, 0}, "dx");
  test::expect_close(a.dw, b.dw, {0, 0}, "dw");
}

TEST(ConvCuda, RejectsF64OnGpu) {
  CTC_REQUIRE_CUDA();
  Tensor x = Tensor::zeros({1, 1, 3, 3}, DType::f64, Device::cuda);
  Tensor w = Tensor::zeros({1, 1, 1, 1}, DType::f64, Device::cuda);
  Tensor y = Tensor::zeros({1, 1, 3, 3}, DType::f64, Device::cuda);
  test::expect_error_containing([&] { conv2d_forward(x, w, {}, y); }, "f32 only");
}

}  // namespace
}  // namespace ctcscope
