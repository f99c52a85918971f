// Softmax and cross-entropy (kernels/loss.h): the gradient against central
// differences in f64 (plain, class weights, label smoothing, both), values
// against PyTorch literals in f32, stability at huge logits, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "kernels/loss.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

Tensor labels_for(std::int64_t N, std::int64_t K, std::uint64_t index) {
  Philox rng(Seed{"loss.labels", index});
  std::vector<std::int64_t> y(static_cast<std::size_t>(N));
  for (std::int64_t i = 0; i < N; ++i) y[static_cast<std::size_t>(i)] = rng.bits64(i) % K;
  return Tensor::from_vector(y, {N});
}

double loss_value(const Tensor& z, const Tensor& y, const Tensor& w, const CrossEntropyParams& p) {
  Tensor probs = Tensor::empty(z.shape(), z.dtype());
  Tensor loss = Tensor::empty({1}, z.dtype());
  cross_entropy_forward(z, y, w, p, probs, loss);
  return loss.item();
}

struct GradCase {
  std::int64_t K;
  bool weighted;
  double smoothing;
};

class CrossEntropyGrad : public ::testing::TestWithParam<GradCase> {};

TEST_P(CrossEntropyGrad, MatchesFiniteDifferences) {
  const GradCase c = GetParam();
  const std::int64_t N = 7;
  const double dloss = 0.7;  // not 1, so the scaling by dloss is checked
  const std::uint64_t index = static_cast<std::uint64_t>(c.K * 10 + c.weighted);
  Tensor z = random_normal({N, c.K}, Seed{"loss.z", index}, 0.0, 2.0, DType::f64);
  Tensor y = labels_for(N, c.K, index);
  Tensor w;
  if (c.weighted) w = random_uniform({c.K}, Seed{"loss.w", index}, 0.2, 2.0, DType::f64);
  CrossEntropyParams p{c.smoothing};

  Tensor probs = Tensor::empty({N, c.K}, DType::f64);
  Tensor loss = Tensor::empty({1}, DType::f64);
  cross_entropy_forward(z, y, w, p, probs, loss);
  Tensor dz = Tensor::full({N, c.K}, NAN, DType::f64);
  cross_entropy_backward(probs, y, w, p, dloss, dz);

  Tensor numeric = test::numeric_gradient(z, [&] { return dloss * loss_value(z, y, w, p); });
  expect_close(dz, numeric, tol::kFiniteDiff, "dlogits");
}

INSTANTIATE_TEST_SUITE_P(
    Cases, CrossEntropyGrad,
    ::testing::Values(GradCase{2, false, 0.0}, GradCase{3, false, 0.0}, GradCase{5, false, 0.0},
                      GradCase{2, true, 0.0}, GradCase{3, true, 0.0}, GradCase{5, true, 0.0},
                      GradCase{3, false, 0.1}, GradCase{5, false, 0.25}, GradCase{2, true, 0.1},
                      GradCase{3, true, 0.1}, GradCase{5, true, 0.3}),
    [](const auto& info) {
      std::string name = "K";
      name += std::to_string(info.param.K);
      if (info.param.weighted) name += "_weighted";
      if (info.param.smoothing > 0) name += "_smoothed";
      return name;
    });

// Fixture for the PyTorch comparisons: N=3, K=5.
const std::vector<float> kZ = {1.5f, -0.5f, 0.25f, 2.0f, -1.0f,  //
                               0.0f, 3.0f, -2.0f, 0.5f, 0.75f,   //
                               -1.25f, 0.5f, 1.0f, -0.25f, 2.5f};
const std::vector<std::int64_t> kY = {3, 0, 4};
const std::vector<float> kW = {0.5f, 2.0f, 1.0f, 1.5f, 0.25f};

// import torch, torch.nn.functional as F
// z0 = [[1.5, -0.5, 0.25, 2.0, -1.0], [0.0, 3.0, -2.0, 0.5, 0.75], [-1.25, 0.5, 1.0, -0.25, 2.5]]
// y = torch.tensor([3, 0, 4]); w = torch.tensor([0.5, 2.0, 1.0, 1.5, 0.25])
// for kw in [{}, dict(weight=w, label_smoothing=0.1)]:
//     z = torch.tensor(z0, requires_grad=True)
//     loss = F.cross_entropy(z, y, **kw); loss.backward()
//     print(f"{loss.item():.9g}", [f"{v:.9g}" for v in z.grad.flatten().tolist()])
// print([f"{v:.9g}" for v in torch.softmax(torch.tensor(z0), 1).flatten().tolist()])
constexpr double kTorchLossPlain = 1.41177368;
const std::vector<float> kTorchGradPlain = {
    0.105731279f, 0.0143091734f, 0.0302925184f, -0.15901193f,  0.00867895223f,
    -0.31999287f, 0.267950863f,  0.00180543854f, 0.0219947454f, 0.0282418113f,
    0.00542166736f, 0.0311995409f, 0.0514393449f, 0.01473762f,  -0.102798186f};
constexpr double kTorchLossWeightedSmoothed = 1.39435768;
const std::vector<float> kTorchGradWeightedSmoothed = {
    0.200674236f,   0.00998201594f, 0.0498785935f,  -0.275149763f,  0.0146149434f,
    -0.194572479f,  0.180505842f,   -0.0075528645f, 0.00294277677f, 0.0186767168f,
    -0.00205891114f, -0.00404998148f, 0.0137444213f, -0.00684878137f, -0.000786757271f};
const std::vector<float> kTorchSoftmax = {
    0.317193836f,  0.0429275185f, 0.0908775553f,  0.522964239f,  0.0260368548f,
    0.0400214605f, 0.803852558f,  0.00541631598f, 0.0659842342f, 0.0847254321f,
    0.0162650011f, 0.0935986191f, 0.154318035f,   0.0442128554f, 0.691605449f};

void expect_matches_torch(const Tensor& w, const CrossEntropyParams& p, double torch_loss,
                          const std::vector<float>& torch_grad) {
  Tensor z = Tensor::from_vector(kZ, {3, 5});
  Tensor y = Tensor::from_vector(kY, {3});
  Tensor probs = Tensor::empty({3, 5});
  Tensor loss = Tensor::empty({1});
  cross_entropy_forward(z, y, w, p, probs, loss);
  expect_close(loss, Tensor::from_vector(std::vector<float>{static_cast<float>(torch_loss)}, {1}),
               tol::kStrictFp32, "loss");
  expect_close(probs, Tensor::from_vector(kTorchSoftmax, {3, 5}), tol::kStrictFp32, "probs");
  Tensor dz = Tensor::full({3, 5}, NAN);
  cross_entropy_backward(probs, y, w, p, 1.0, dz);
  expect_close(dz, Tensor::from_vector(torch_grad, {3, 5}), tol::kStrictFp32, "dlogits");
}

TEST(CrossEntropy, MatchesTorchPlain) {
  expect_matches_torch(Tensor(), CrossEntropyParams{}, kTorchLossPlain, kTorchGradPlain);
}

TEST(CrossEntropy, MatchesTorchWeightedSmoothed) {
  expect_matches_torch(Tensor::from_vector(kW, {5}), CrossEntropyParams{0.1},
                       kTorchLossWeightedSmoothed, kTorchGradWeightedSmoothed);
}

TEST(Softmax, MatchesTorch) {
  Tensor probs = Tensor::full({3, 5}, NAN);
  softmax_forward(Tensor::from_vector(kZ, {3, 5}), probs);
  expect_close(probs, Tensor::from_vector(kTorchSoftmax, {3, 5}), tol::kStrictFp32, "probs");
}

TEST(Softmax, HugeLogitsStayFinite) {
  // exp(1e4) overflows both f32 and f64; the max-shifted form never takes it.
  for (DType dt : {DType::f32, DType::f64}) {
    Tensor z = Tensor::from_vector(std::vector<double>{1e4, 0.0, -1e4, 1e4, 1e4, -1e4}, {2, 3})
                   .to(dt);
    Tensor probs = Tensor::full({2, 3}, NAN, dt);
    softmax_forward(z, probs);
    Tensor expected =
        Tensor::from_vector(std::vector<double>{1.0, 0.0, 0.0, 0.5, 0.5, 0.0}, {2, 3}).to(dt);
    expect_close(probs, expected, tol::kStrictFp32, "probs");

    // Labels on a -1e4 logit, smoothing 0.1: -log p = [0, 1e4, 2e4] in row 0 and
    // [log 2, log 2, 2e4 + log 2] in row 1, so
    // loss = 0.9 (2e4 + 2e4 + log 2) / 2 + (0.1 / 3) (5e4 + 3 log 2) / 2.
    Tensor y = Tensor::from_vector(std::vector<std::int64_t>{2, 2}, {2});
    Tensor loss = Tensor::empty({1}, dt);
    cross_entropy_forward(z, y, Tensor(), CrossEntropyParams{0.1}, probs, loss);
    EXPECT_TRUE(std::isfinite(loss.item()));
    const double log2 = std::log(2.0);
    const double expected_loss = 0.9 * (4e4 + log2) / 2 + (0.1 / 3) * (5e4 + 3 * log2) / 2;
    EXPECT_NEAR(loss.item(), expected_loss, expected_loss * tol::kStrictFp32.rtol)
        << dtype_name(dt);
    Tensor dz = Tensor::full({2, 3}, NAN, dt);
    cross_entropy_backward(probs, y, Tensor(), CrossEntropyParams{0.1}, 1.0, dz);
    for (double v : dz.to_double_vector()) EXPECT_TRUE(std::isfinite(v));
  }
}

TEST(CrossEntropy, BackwardAssignsOverNaN) {
  Tensor z = random_normal({5, 3}, Seed{"loss.nan.z"});
  Tensor y = labels_for(5, 3, 99);
  Tensor w = random_uniform({3}, Seed{"loss.nan.w"}, 0.5, 1.5);
  Tensor probs = Tensor::full({5, 3}, NAN);
  Tensor loss = Tensor::full({1}, NAN);
  cross_entropy_forward(z, y, w, CrossEntropyParams{0.2}, probs, loss);
  EXPECT_TRUE(std::isfinite(loss.item()));
  Tensor dz = Tensor::full({5, 3}, NAN);
  cross_entropy_backward(probs, y, w, CrossEntropyParams{0.2}, 1.0, dz);
  for (double v : dz.to_double_vector()) EXPECT_TRUE(std::isfinite(v));
  // Backward twice gives the same values: assigned, not accumulated.
  Tensor again = dz.clone();
  cross_entropy_backward(probs, y, w, CrossEntropyParams{0.2}, 1.0, again);
  expect_close(again, dz, tol::kDouble, "second backward");
}


TEST(CrossEntropy, BadLabelNamesTheRow) {
  Tensor z = random_normal({4, 3}, Seed{"loss.bad.z"});
  Tensor probs = Tensor::empty({4, 3});
  Tensor loss = Tensor::empty({1});
  Tensor dz = Tensor::empty({4, 3});
  Tensor too_big = Tensor::from_vector(std::vector<std::int64_t>{0, 2, 3, 1}, {4});
  Tensor negative = Tensor::from_vector(std::vector<std::int64_t>{0, 1, 2, -1}, {4});
  test::expect_error_containing(
      [&] { cross_entropy_forward(z, too_big, Tensor(), {}, probs, loss); }, "labels[2] = 3");
  test::expect_error_containing(
      [&] { cross_entropy_forward(z, negative, Tensor(), {}, probs, loss); }, "labels[3] = -1");
  test::expect_error_containing(
      [&] { cross_entropy_backward(probs, too_big, Tensor(), {}, 1.0, dz); }, "labels[2] = 3");
}

TEST(CrossEntropy, ArgumentChecks) {
  Tensor z = random_normal({4, 3}, Seed{"loss.args.z"});
  Tensor y = labels_for(4, 3, 7);
  Tensor probs = Tensor::empty({4, 3});
  Tensor loss = Tensor::empty({1});
  test::expect_error_containing(
      [&] { cross_entropy_forward(z, Tensor::zeros({4}, DType::i32), Tensor(), {}, probs, loss); },
      "labels must be i64");
  test::expect_error_containing(
      [&] { cross_entropy_forward(z, y, Tensor::zeros({4}), {}, probs, loss); }, "class_weights");
  test::expect_error_containing(
      [&] { cross_entropy_forward(z, y, Tensor::zeros({3}, DType::f64), {}, probs, loss); },
      "class_weights");
  Tensor probs_f64 = Tensor::empty({4, 3}, DType::f64);
  test::expect_error_containing([&] { cross_entropy_forward(z, y, Tensor(), {}, probs_f64, loss); },
                          "probs");
  test::expect_error_containing(
      [&] { cross_entropy_forward(z, y, Tensor(), CrossEntropyParams{1.5}, probs, loss); },
      "label_smoothing");
  Tensor wrong_shape = Tensor::empty({3, 4});
  test::expect_error_containing([&] { softmax_forward(z, wrong_shape); }, "probs");
}

}  // namespace
}  // namespace ctcscope
