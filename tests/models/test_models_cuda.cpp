// The paper's four networks on the GPU against the CPU backend: eval logits
// at the paper's 148x148 and batch 16 (TF32 and strict fp32), one full train
// step (forward, cross-entropy, backward, AdamW; dropout and stochastic depth
// draw the same masks on both, from the host generator) giving the same loss,
// gradients and updated weights; gradients accumulated over two backward
// passes (beta = 1 in cuDNN and cuBLAS, += in own kernels) as the sum of the
// two; deterministic mode gives the same bits twice.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tests/support/gpu_math_scope.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kBatch = 4, kSize = 64;

Tensor labels_for(Device d) {
  Tensor l = Tensor::from_vector(std::vector<std::int64_t>{0, 1, 1, 0}, {kBatch});
  return l.to_device(d);
}

struct StepResult {
  double loss;
  std::vector<Tensor> grads, weights;  // on the host
};

StepResult train_step(const std::string& name, Device d) {
  auto model = make_model(name, 2);
  model->to_device(d);
  model->train();
  // eps 1e-2 keeps the first AdamW step (about lr * sign(g) with the default
  // eps) continuous in g, so gradients that are ~0 and differ in sign between
  // the backends do not move weights by 2*lr in opposite directions.
  AdamWOptions options;
  options.lr = 1e-3;
  options.eps = 1e-2;
  AdamW opt(model->named_parameters(), options);
  CrossEntropyLoss criterion;
  Tensor x = random_normal({kBatch, 3, kSize, kSize}, Seed{"models.cuda.x"}).to_device(d);
  model->zero_grad();
  StepResult r;
  r.loss = criterion.forward(model->forward(x), labels_for(d));
  model->backward(criterion.backward());
  for (Parameter* p : model->parameters()) r.grads.push_back(test::to_host(p->grad));
  opt.step();
  for (Parameter* p : model->parameters()) r.weights.push_back(test::to_host(p->value));
  return r;
}

class ModelCuda : public ::testing::TestWithParam<std::string> {};

// Logits at the shapes the paper trains on: 148x148, batch 16.
void expect_eval_logits_match(const std::string& name, const GpuMath& math, double tolerance) {
  test::GpuMathScope scope(math);
  Tensor x = random_normal({16, 3, 148, 148}, Seed{"models.cuda.eval148"});
  auto cpu_model = make_model(name, 2);
  cpu_model->eval();
  Tensor y_c = cpu_model->forward(x);
  auto gpu_model = make_model(name, 2);
  gpu_model->to_device(Device::cuda);
  gpu_model->eval();
  Tensor y_g = test::to_host(gpu_model->forward(test::to_gpu(x)));
  test::expect_relative_error(y_g, y_c, tolerance, "logits");
}

// TF32 rounds each product's inputs to 10 mantissa bits (kGpuTf32Relative,
// 3e-3, bounds one layer); over 34 to 121 layers with eval-mode batch norm
// (which does not renormalise) the errors add up to about 1e-2.
constexpr double kDeepTf32Relative = 1e-2;
// Strict fp32 sums the same products in another order: about 1e-6 relative
// per layer (unit roundoff 6e-8 times the square root of reductions of
// ~1e3 to 1e4 terms), added over up to 121 layers: a few 1e-4 at worst.
constexpr double kDeepStrictRelative = 5e-4;

TEST_P(ModelCuda, EvalLogitsAt148MatchCpuTf32) {
  CTC_REQUIRE_CUDA();
  expect_eval_logits_match(GetParam(), test::kTf32, kDeepTf32Relative);
}

TEST_P(ModelCuda, EvalLogitsAt148MatchCpuStrictFp32) {
  CTC_REQUIRE_CUDA();
  expect_eval_logits_match(GetParam(), test::kStrict, kDeepStrictRelative);
}

// Two backward passes without zero_grad between them leave g(A) + g(B) in
// every gradient: each op adds its gradient onto what is there (beta = 1).
// The same masks are drawn in both orders (set_random_draws). Deterministic
// strict fp32, so g(A) and g(B) come out the same bits each time, and the
// accumulated gradient is fl(g(A) + g(B)): within one rounding of the exact sum.
TEST_P(ModelCuda, GradientsAccumulateOverTwoBackwardPasses) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(GpuMath{false, true});
  auto model = make_model(GetParam(), 2);
  model->to_device(Device::cuda);
  model->train();
  CrossEntropyLoss criterion;
  const Tensor xa = test::to_gpu(random_normal({kBatch, 3, kSize, kSize}, Seed{"models.cuda.acc.a"}));
  const Tensor xb = test::to_gpu(random_normal({kBatch, 3, kSize, kSize}, Seed{"models.cuda.acc.b"}));
  auto pass = [&](const Tensor& x) {
    criterion.forward(model->forward(x), labels_for(Device::cuda));
    model->backward(criterion.backward());
  };
  auto grads = [&] {
    std::vector<Tensor> g;
    for (Parameter* p : model->parameters()) g.push_back(test::to_host(p->grad).to(DType::f64));
    return g;
  };
  model->zero_grad();
  pass(xa);
  std::vector<Tensor> sum = grads();
  model->zero_grad();
  pass(xb);
  const std::vector<Tensor> gb = grads();
  for (std::size_t i = 0; i < sum.size(); ++i) {
    double* s = sum[i].data<double>();
    const double* b = gb[i].data<double>();
    for (std::int64_t e = 0; e < sum[i].numel(); ++e) s[e] += b[e];
  }
  model->set_random_draws(0);
  model->zero_grad();
  pass(xa);
  pass(xb);
  const std::vector<Tensor> accumulated = grads();
  ASSERT_EQ(accumulated.size(), sum.size());
  // One float rounding of the sum (6e-8), with room for sums that add the
  // old value in partial sums.
  constexpr double kOneRoundingRelative = 1e-6;
  for (std::size_t i = 0; i < sum.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_relative_error(accumulated[i], sum[i], kOneRoundingRelative, "accumulated grad");
  }
}

TEST_P(ModelCuda, TrainStepMatchesCpu) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kStrict);  // deep networks: compare without TF32
  StepResult c = train_step(GetParam(), Device::cpu);
  StepResult g = train_step(GetParam(), Device::cuda);
  EXPECT_NEAR(g.loss, c.loss, 1e-4 * std::fabs(c.loss));
  ASSERT_EQ(g.grads.size(), c.grads.size());
  // Gradients pass back through every layer's differently ordered sums.
  constexpr double kDeepRelative = 1e-3;
  for (std::size_t i = 0; i < c.grads.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_relative_error(g.grads[i], c.grads[i], kDeepRelative, "grad");
    test::expect_relative_error(g.weights[i], c.weights[i], kDeepRelative, "weight after AdamW");
  }
}

TEST_P(ModelCuda, DeterministicTrainStepGivesSameBitsTwice) {
  CTC_REQUIRE_CUDA();
  test::GpuMathScope scope(test::kDeterministic);
  StepResult a = train_step(GetParam(), Device::cuda);
  StepResult b = train_step(GetParam(), Device::cuda);
  EXPECT_EQ(a.loss, b.loss);
  for (std::size_t i = 0; i < a.grads.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_close(a.grads[i], b.grads[i], {0, 0}, "grad");
    test::expect_close(a.weights[i], b.weights[i], {0, 0}, "weight");
  }
}

INSTANTIATE_TEST_SUITE_P(PaperArchitectures, ModelCuda,
                         ::testing::Values("resnet34", "resnet50", "densenet121", "efficientnet_b4"),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace ctcscope
