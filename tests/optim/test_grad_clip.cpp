// Gradient clipping by global norm (optim/grad_clip.h) against
// torch.nn.utils.clip_grad_norm_.
#include <gtest/gtest.h>

#include <vector>

#include "optim/grad_clip.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

// torch sums in f32 and scales by an f32 coefficient; the total here is
// summed in double.
constexpr test::Tolerance kTorchClipFp32{1e-7, 1e-6};

// import torch
// a = torch.nn.Parameter(torch.zeros(2, 3)); b = torch.nn.Parameter(torch.zeros(2))
// a.grad = torch.tensor([[0.5, -1.5, 2.0], [3.0, -0.25, 1.0]]); b.grad = torch.tensor([4.0, -2.5])
// total = torch.nn.utils.clip_grad_norm_([a, b], max_norm=2.0)
// print(f"{total.item():.9g}", [f"{v:.9g}" for v in a.grad.flatten().tolist() + b.grad.tolist()])
constexpr double kTorchTotal = 6.22996759;
const std::vector<float> kTorchClippedA = {0.160514459f, -0.481543362f, 0.642057836f,
                                           0.963086724f, -0.0802572295f, 0.321028918f};
const std::vector<float> kTorchClippedB = {1.28411567f, -0.80257231f};

struct Grads {
  Parameter a, b;
  Grads() {
    a.value = Tensor::zeros({2, 3});
    a.grad = Tensor::from_vector(std::vector<float>{0.5f, -1.5f, 2.0f, 3.0f, -0.25f, 1.0f}, {2, 3});
    b.value = Tensor::zeros({2});
    b.grad = Tensor::from_vector(std::vector<float>{4.0f, -2.5f}, {2});
  }
  std::vector<Named<Parameter>> named() { return {{"a", &a}, {"b", &b}}; }
};

TEST(ClipGradNorm, MatchesTorchWhenClipping) {
  Grads g;
  double total = clip_grad_norm(g.named(), 2.0);
  EXPECT_NEAR(total, kTorchTotal, kTorchClipFp32.atol + kTorchClipFp32.rtol * kTorchTotal);
  expect_close(g.a.grad, Tensor::from_vector(kTorchClippedA, {2, 3}), kTorchClipFp32, "a.grad");
  expect_close(g.b.grad, Tensor::from_vector(kTorchClippedB, {2}), kTorchClipFp32, "b.grad");
}

TEST(ClipGradNorm, LeavesGradsBelowMaxNorm) {
  Grads g;
  Tensor a_before = g.a.grad.clone(), b_before = g.b.grad.clone();
  double total = clip_grad_norm(g.named(), 100.0);
  EXPECT_NEAR(total, kTorchTotal, kTorchClipFp32.atol + kTorchClipFp32.rtol * kTorchTotal);
  expect_close(g.a.grad, a_before, tol::kDouble, "a.grad");
  expect_close(g.b.grad, b_before, tol::kDouble, "b.grad");
}

TEST(ClipGradNorm, SkipsMissingGradsAndWorksInF64) {
  Parameter a, b;
  a.value = Tensor::zeros({2}, DType::f64);
  a.grad = Tensor::from_vector(std::vector<double>{3.0, 4.0}, {2});
  b.value = Tensor::zeros({3}, DType::f64);  // b.grad undefined
  double total = clip_grad_norm(std::vector<Parameter*>{&a, &b}, 1.0);
  EXPECT_DOUBLE_EQ(total, 5.0);
  const double coef = 1.0 / (5.0 + 1e-6);
  expect_close(a.grad, Tensor::from_vector(std::vector<double>{3.0 * coef, 4.0 * coef}, {2}),
               tol::kDouble, "a.grad");
  EXPECT_THROW(clip_grad_norm(std::vector<Parameter*>{&a}, 0.0), Error);
}

}  // namespace
}  // namespace ctcscope
