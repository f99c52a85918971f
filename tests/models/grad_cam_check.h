// Grad-CAM of a network against a reference with no engine backward in it:
// dy/dA from central differences of forward_head on the features A, then
// the same weighting and upsampling. Shared by the fast test (ResNet18) and
// the slow one (every other network).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "models/grad_cam.h"
#include "models/registry.h"
#include "tests/support/test_util.h"

namespace ctcscope::test {

// At 64x64 every network's last block is 2x2, so the upsampling matters.
// In double, so the comparison is tol::kFiniteDiff.
inline void expect_grad_cam_matches_finite_differences(const char* model_name) {
  auto model = make_model(model_name, 2, 5);
  model->to_dtype(DType::f64);
  ConvClassifier& net = as_conv_classifier(*model);
  const Tensor x = random_normal({2, 3, 64, 64}, Seed{"grad_cam.x"}).to(DType::f64);
  net.eval();
  Tensor features = net.forward_features(x);
  ASSERT_EQ(features.dim(), 4);
  ASSERT_EQ(features.size(2), 2);
  double largest = 0;
  // Logit 0 alone, and the CTC log-odds ctcscope shows.
  for (const std::vector<double>& weights : {std::vector<double>{1.0, 0.0}, kCtcLogOdds}) {
    // Each image's score depends on its own features alone, so the gradient
    // of the batch's sum holds every image's gradient. The map sums up to
    // 2048 channels' alpha_k A_k, multiplying the reference's rounding error
    // (1e-16 |score| / h per element) as much; h = 1e-4 keeps the sum within
    // kFiniteDiff (at 1e-6 ResNet50's map missed it by 1.2x). The heads are
    // affine in A, so the larger step adds no truncation error.
    constexpr double kStep = 1e-4;
    const Tensor numeric = numeric_gradient(features, [&] {
      const Tensor logits = net.forward_head(features);
      double score = 0;
      for (std::int64_t i = 0; i < 4; ++i) score += weights[static_cast<std::size_t>(i % 2)] * logits.item(i);
      return score;
    }, kStep);
    const Tensor want = upsample_bilinear(grad_cam_coarse(features, numeric), 64, 64);
    const Tensor got = grad_cam(net, x, weights);
    expect_close(got, want, tol::kFiniteDiff, std::string(model_name) + " weights " + std::to_string(weights[0]));
    for (double v : got.to_double_vector()) largest = std::max(largest, v);
  }
  EXPECT_GT(largest, 0.0) << "every map is zero: the comparison shows nothing";
  EXPECT_FALSE(net.training()) << "grad_cam leaves the network in eval mode";
}

}  // namespace ctcscope::test
