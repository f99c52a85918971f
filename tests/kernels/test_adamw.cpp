// The AdamW update (kernels/adamw.h): f64 against the header's formula
// (kernels/reference/adamw.cpp), over several steps and a size that splits into
// OpenMP chunks; f32 against PyTorch literals; argument errors.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kernels/adamw.h"
#include "kernels/reference/reference.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

// torch's operations in f32 with the same order, scalar rounding and FMAs
// (lerp_, addcmul_ on an AVX2 build): the results are the same bits.
constexpr test::Tolerance kTorchBitExact{0.0, 0.0};

TEST(AdamWStep, MatchesFormulaF64OverSteps) {
  const Shape shape = {3, 5, 7, 97};  // 10185 elements: several chunks per thread
  Tensor w = random_normal(shape, Seed{"adamw.w"}, 0.0, 1.0, DType::f64);
  Tensor m = Tensor::zeros(shape, DType::f64);
  Tensor v = Tensor::zeros(shape, DType::f64);
  reference::AdamWState want{w.clone(), m.clone(), v.clone()};

  AdamWStep s;
  s.lr = 3e-3;
  s.beta1 = 0.85;
  s.beta2 = 0.99;
  s.eps = 1e-6;
  s.weight_decay = 0.05;
  for (std::int64_t t = 1; t <= 4; ++t) {
    Tensor g = random_normal(shape, Seed{"adamw.g", static_cast<std::uint64_t>(t)}, 0.0, 0.5,
                             DType::f64);
    s.step = t;
    adamw_step(g, s, w, m, v);
    want = reference::adamw_step(g, s, want.param, want.exp_avg, want.exp_avg_sq);
  }
  expect_close(w, want.param, tol::kDouble, "param");
  expect_close(m, want.exp_avg, tol::kDouble, "exp_avg");
  expect_close(v, want.exp_avg_sq, tol::kDouble, "exp_avg_sq");
}

// Four f32 steps, lr=1e-2, weight_decay=0.1, other settings torch's defaults.
// The installed torch (1.13) still updates exp_avg with mul_/add_; torch 2.x
// uses lerp_, which this snippet spells out (its params agree bit for bit with
// torch.optim.AdamW 1.13 here; exp_avg differs by one ulp in 3 elements):
//   import torch, math
//   p0 = [0.5, -1.25, 2.0, 0.0, -0.03125, 3.5, -2.75]
//   grads = [[0.1, -0.2, 0.3, -0.4, 0.5, 1e-3, -7.0], [-0.3, 0.25, 0.05, 0.4, -0.5, 2e-3, 6.0],
//            [0.2, 0.0, -0.15, 0.35, 0.45, -1e-3, 0.5], [0.7, -0.6, 0.1, -0.05, 0.0, 4e-3, -1.5]]
//   lr, wd = 1e-2, 0.1
//   p = torch.tensor(p0); m = torch.zeros_like(p); v = torch.zeros_like(p)
//   for t, g in enumerate(grads, 1):
//       g = torch.tensor(g)
//       p.mul_(1 - lr*wd); m.lerp_(g, 1-0.9); v.mul_(0.999).addcmul_(g, g, value=1-0.999)
//       bc1 = 1-0.9**t; bc2 = 1-0.999**t
//       denom = (v.sqrt() / math.sqrt(bc2)).add_(1e-8)
//       p.addcdiv_(m, denom, value=-lr/bc1)
//   print([f"{x:.9g}" for x in p.tolist()], ...m..., ...v...)
// The script's 7 elements, repeated `copies` times: every copy must
// give torch's bits, wherever it falls in the vectorised loop.
void expect_torch_bits(std::int64_t copies) {
  const std::vector<float> p0 = {0.5f, -1.25f, 2.0f, 0.0f, -0.03125f, 3.5f, -2.75f};
  const std::vector<std::vector<float>> grads = {
      {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, 1e-3f, -7.0f},
      {-0.3f, 0.25f, 0.05f, 0.4f, -0.5f, 2e-3f, 6.0f},
      {0.2f, 0.0f, -0.15f, 0.35f, 0.45f, -1e-3f, 0.5f},
      {0.7f, -0.6f, 0.1f, -0.05f, 0.0f, 4e-3f, -1.5f}};
  const std::vector<float> torch_param = {0.48757875f,     -1.23327434f,   1.96793592f,
                                          0.00314613385f,  -0.0461851545f, 3.45546913f,
                                          -2.7281599f};
  const std::vector<float> torch_exp_avg = {0.0709900036f, -0.0543299988f, 0.0224200003f,
                                            0.0297399983f, 0.0364499949f,  0.000544900016f,
                                            -0.129299998f};
  const std::vector<float> torch_exp_avg_sq = {0.000629750139f, 0.000462255208f,
                                               0.000124702783f, 0.000444078149f,
                                               0.000701048528f, 2.19880096e-08f,
                                               0.0872809365f};
  const auto tiled = [copies](const std::vector<float>& v) {
    std::vector<float> out;
    for (std::int64_t c = 0; c < copies; ++c) out.insert(out.end(), v.begin(), v.end());
    return out;
  };
  const Shape shape = {7 * copies};
  Tensor w = Tensor::from_vector(tiled(p0), shape);
  Tensor m = Tensor::zeros(shape);
  Tensor v = Tensor::zeros(shape);
  AdamWStep s;
  s.lr = 1e-2;
  s.weight_decay = 0.1;
  for (std::size_t t = 0; t < grads.size(); ++t) {
    s.step = static_cast<std::int64_t>(t + 1);
    adamw_step(Tensor::from_vector(tiled(grads[t]), shape), s, w, m, v);
  }
  expect_close(w, Tensor::from_vector(tiled(torch_param), shape), kTorchBitExact, "param");
  expect_close(m, Tensor::from_vector(tiled(torch_exp_avg), shape), kTorchBitExact, "exp_avg");
  expect_close(v, Tensor::from_vector(tiled(torch_exp_avg_sq), shape), kTorchBitExact, "exp_avg_sq");
}

TEST(AdamWStep, MatchesTorchF32) { expect_torch_bits(1); }

// 1001 elements: whole vectors on each thread and a remainder.
TEST(AdamWStep, MatchesTorchF32AtEveryPositionOfALongTensor) { expect_torch_bits(143); }

TEST(AdamWStep, ArgumentChecks) {
  Tensor w = Tensor::zeros({4});
  Tensor m = Tensor::zeros({4});
  Tensor v = Tensor::zeros({4});
  Tensor g = Tensor::zeros({4});
  Tensor g_shape = Tensor::zeros({5});
  Tensor g_f64 = Tensor::zeros({4}, DType::f64);
  AdamWStep s;
  EXPECT_THROW(adamw_step(g_shape, s, w, m, v), Error);
  EXPECT_THROW(adamw_step(g_f64, s, w, m, v), Error);
  s.step = 0;
  EXPECT_THROW(adamw_step(g, s, w, m, v), Error);
  s.step = 1;
  s.beta2 = 1.0;
  EXPECT_THROW(adamw_step(g, s, w, m, v), Error);
}

}  // namespace
}  // namespace ctcscope
