// Grad-CAM: the upsampling and the weighted sum against values worked by
// hand, and ResNet18's whole map against one whose gradient comes from
// central differences of the head instead of the engine's backward.
#include <gtest/gtest.h>


#include "models/grad_cam.h"
#include "models/registry.h"
#include "tests/models/grad_cam_check.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

TEST(UpsampleBilinear, MatchesHalfPixelCentresByHand) {
  // m = 4x + 8y is linear, so each output is 4 u(x) + 8 u(y) with u the
  // source coordinate clamped to [0, 1]: (o + 0.5) / 2 - 0.5 -> 0, .25, .75, 1.
  const Tensor m = Tensor::from_vector(std::vector<double>{0, 4, 8, 12}, {1, 2, 2});
  const Tensor want = Tensor::from_vector(
      std::vector<double>{0, 1, 3, 4, 2, 3, 5, 6, 6, 7, 9, 10, 8, 9, 11, 12}, {1, 4, 4});
  expect_close(upsample_bilinear(m, 4, 4), want, tol::kDouble, "2x2 -> 4x4");
  expect_close(upsample_bilinear(m, 2, 2), m, tol::kDouble, "same size is the identity");
}

TEST(GradCamCoarse, WeighsChannelsByTheGradientsMeanAndRectifies) {
  // alpha = (mean(1, 3), mean(-1, -1)) = (2, -1); 2 * (1, 2) - (3, -5) = (-1, 9) -> (0, 9).
  const Tensor a = Tensor::from_vector(std::vector<double>{1, 2, 3, -5}, {1, 2, 1, 2});
  const Tensor da = Tensor::from_vector(std::vector<double>{1, 3, -1, -1}, {1, 2, 1, 2});
  expect_close(grad_cam_coarse(a, da), Tensor::from_vector(std::vector<double>{0, 9}, {1, 1, 2}), tol::kDouble);
  EXPECT_THROW(grad_cam_coarse(a, Tensor::zeros({1, 2, 2, 1}, DType::f64)), Error);
}

// The other networks: slow_test_grad_cam_networks.cpp.
TEST(GradCamAgainstFiniteDifferences, ResNet18InDouble) {
  test::expect_grad_cam_matches_finite_differences("resnet18");
}

TEST(GradCam, RefusesWeightsForAnotherNumberOfLogits) {
  auto model = make_model("resnet18", 2, 0);
  test::expect_error_containing(
      [&] { grad_cam(as_conv_classifier(*model), Tensor::zeros({1, 3, 32, 32}), {0.0, 1.0, 0.0}); },
      "3 logit weights");
}

}  // namespace
}  // namespace ctcscope
