// Grad-CAM on the GPU against the CPU: the same eval-mode features, the
// head's backward on the device, the maps brought back to the host. Skips
// without a GPU.
#include <gtest/gtest.h>

#include <string>

#include "models/grad_cam.h"
#include "models/registry.h"
#include "tests/support/gpu_math_scope.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

class GradCamCuda : public ::testing::TestWithParam<std::string> {};

TEST_P(GradCamCuda, MapsMatchTheCpu) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kStrict);  // deep networks: compare without TF32
  const Tensor x = random_normal({2, 3, 64, 64}, Seed{"grad_cam.cuda.x"});
  auto cpu = make_model(GetParam(), 2, 3);
  auto gpu = make_model(GetParam(), 2, 3);
  gpu->to_device(Device::cuda);
  const Tensor want = grad_cam(as_conv_classifier(*cpu), x, kCtcLogOdds);
  const Tensor got = grad_cam(as_conv_classifier(*gpu), x.to_device(Device::cuda), kCtcLogOdds);
  EXPECT_EQ(got.device(), Device::cpu);
  // The features pass through every layer's differently ordered sums, as in
  // test_models_cuda's train step.
  constexpr double kDeepRelative = 1e-3;
  test::expect_relative_error(got, want, kDeepRelative, GetParam());
}

INSTANTIATE_TEST_SUITE_P(PaperArchitectures, GradCamCuda,
                         ::testing::Values("resnet18", "resnet34", "resnet50", "densenet121", "efficientnet_b4"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ctcscope
