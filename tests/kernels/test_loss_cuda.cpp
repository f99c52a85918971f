// Softmax and cross-entropy on the GPU against the CPU twin, with class
// weights and label smoothing; the loss stays on the device; a bad label
// raises the twin's error.
#include <gtest/gtest.h>

#include <cmath>

#include "kernels/gpu_math.h"
#include "kernels/loss.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(LossCuda, CrossEntropyMatchesCpu) {
  CTC_REQUIRE_CUDA();
  const std::int64_t N = 9, K = 3;
  Tensor z = random_normal({N, K}, Seed{"ce.cuda.z"}, 0.0, 3.0);
  Tensor labels = Tensor::from_vector(std::vector<std::int64_t>{0, 1, 2, 2, 1, 0, 0, 2, 1}, {N});
  Tensor weights = Tensor::from_vector(std::vector<float>{0.5f, 2.0f, 1.0f}, {K});
  for (bool weighted : {false, true}) {
    for (double smoothing : {0.0, 0.1}) {
      SCOPED_TRACE(testing::Message() << "weighted " << weighted << " smoothing " << smoothing);
      const CrossEntropyParams p{smoothing};
      Tensor w = weighted ? weights : Tensor();
      Tensor probs_c = Tensor::empty({N, K}), loss_c = Tensor::empty({1}), dz_c = Tensor::empty({N, K});
      cross_entropy_forward(z, labels, w, p, probs_c, loss_c);
      cross_entropy_backward(probs_c, labels, w, p, 0.7, dz_c);
      Tensor wg = weighted ? test::to_gpu(weights) : Tensor();
      Tensor lg = test::to_gpu(labels);
      Tensor probs_g = Tensor::empty({N, K}, DType::f32, Device::cuda);
      Tensor loss_g = Tensor::empty({1}, DType::f32, Device::cuda);
      Tensor dz_g = Tensor::empty({N, K}, DType::f32, Device::cuda);
      cross_entropy_forward(test::to_gpu(z), lg, wg, p, probs_g, loss_g);
      cross_entropy_backward(probs_g, lg, wg, p, 0.7, dz_g);
      EXPECT_EQ(loss_g.device(), Device::cuda);
      test::expect_close(test::to_host(probs_g), probs_c, test::tol::kStrictFp32, "probs");
      test::expect_close(test::to_host(loss_g), loss_c, test::tol::kStrictFp32, "loss");
      test::expect_close(test::to_host(dz_g), dz_c, test::tol::kStrictFp32, "dlogits");
    }
  }
  Tensor probs = Tensor::empty({N, K}, DType::f32, Device::cuda);
  Tensor soft_c = Tensor::empty({N, K});
  softmax_forward(z, soft_c);
  softmax_forward(test::to_gpu(z), probs);
  test::expect_close(test::to_host(probs), soft_c, test::tol::kStrictFp32, "softmax");
}

TEST(LossCuda, BadLabelIsAnError) {
  CTC_REQUIRE_CUDA();
  Tensor z = Tensor::zeros({2, 2}, DType::f32, Device::cuda);
  Tensor labels = test::to_gpu(Tensor::from_vector(std::vector<std::int64_t>{1, 5}, {2}));
  Tensor probs = Tensor::empty({2, 2}, DType::f32, Device::cuda);
  Tensor loss = Tensor::empty({1}, DType::f32, Device::cuda);
  test::expect_error_containing([&] { cross_entropy_forward(z, labels, Tensor(), {}, probs, loss); },
                                "labels[1] = 5");
}

// The backward waits for nothing: a bad label is flagged on the device,
// dlogits made NaN, and the flag read by check_gpu_errors (or the next loss).
TEST(LossCuda, BadLabelInBackwardIsFlaggedAndReadLater) {
  CTC_REQUIRE_CUDA();
  Tensor probs = test::to_gpu(Tensor::full({2, 2}, 0.5));
  Tensor labels = test::to_gpu(Tensor::from_vector(std::vector<std::int64_t>{1, -1}, {2}));
  Tensor dz = Tensor::empty({2, 2}, DType::f32, Device::cuda);
  cross_entropy_backward(probs, labels, Tensor(), {}, 1.0, dz);
  for (double v : test::to_host(dz).to_double_vector()) EXPECT_TRUE(std::isnan(v));
  test::expect_error_containing([] { check_gpu_errors(); }, "cross_entropy_backward: a label");
  check_gpu_errors();  // read once: cleared
}

// The loss comes back with the label check in one read-back, as the twin's value.
TEST(LossCuda, ForwardReturnsTheLossOnTheHost) {
  CTC_REQUIRE_CUDA();
  Tensor z = random_normal({5, 3}, Seed{"loss.cuda.ret"});
  Tensor labels = Tensor::from_vector(std::vector<std::int64_t>{0, 2, 1, 1, 0}, {5});
  Tensor probs_c = Tensor::empty({5, 3}), loss_c = Tensor::empty({1});
  const double want = cross_entropy_forward(z, labels, Tensor(), {}, probs_c, loss_c);
  EXPECT_EQ(want, loss_c.item(0));
  Tensor probs_g = Tensor::empty({5, 3}, DType::f32, Device::cuda);
  Tensor loss_g = Tensor::empty({1}, DType::f32, Device::cuda);
  const double got = cross_entropy_forward(test::to_gpu(z), test::to_gpu(labels), Tensor(), {},
                                           probs_g, loss_g);
  EXPECT_EQ(got, test::to_host(loss_g).item(0));
  EXPECT_NEAR(got, want, test::tol::kGpuStrictFp32Relative * std::fabs(want));
}

}  // namespace
}  // namespace ctcscope
