// Grad-CAM of every network but ResNet18 (test_grad_cam.cpp) against the
// finite-difference reference: each one's split into features and head,
// EfficientNet's eval-mode Dropout included. Slow: deep networks in double.
#include "tests/models/grad_cam_check.h"

namespace ctcscope {
namespace {

class GradCamEveryNetwork : public ::testing::TestWithParam<const char*> {};

TEST_P(GradCamEveryNetwork, MatchesFiniteDifferencesInDouble) {
  test::expect_grad_cam_matches_finite_differences(GetParam());
}

INSTANTIATE_TEST_SUITE_P(All, GradCamEveryNetwork,
                         ::testing::Values("resnet34", "resnet50", "densenet121", "efficientnet_b4"));

}  // namespace
}  // namespace ctcscope
