// Module bookkeeping: names, buffers, modes, dtype conversion, Sequential.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/linear.h"
#include "layers/pool.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(Sequential, NamesChildrenByIndexAndChainsBackward) {
  Sequential seq;
  seq.add(std::make_unique<Conv2d>(3, 4, 3, 1, 1));
  seq.add(std::make_unique<BatchNorm2d>(4));
  seq.add(std::make_unique<ReLU>());
  seq.add(std::make_unique<GlobalAvgPool>());
  seq.add(std::make_unique<Linear>(4, 2));
  std::vector<std::string> names;
  for (auto& np : seq.named_parameters()) names.push_back(np.name);
  EXPECT_EQ(names, (std::vector<std::string>{"0.weight", "1.weight", "1.bias", "4.weight", "4.bias"}));
  std::vector<std::string> buffers;
  for (auto& nb : seq.named_buffers()) buffers.push_back(nb.name);
  EXPECT_EQ(buffers, (std::vector<std::string>{"1.running_mean", "1.running_var", "1.num_batches_tracked"}));

  seq.to_dtype(DType::f64);
  Tensor x = test::random_away_from_zero({3, 3, 5, 7}, Seed{"seq.x"});
  Tensor r = random_normal({3, 2}, Seed{"seq.r"}, 0, 1, DType::f64);
  seq.zero_grad();
  ASSERT_EQ(seq.forward(x).shape(), r.shape());
  Tensor dx = seq.backward(r);
  auto f = [&] { return test::dot(seq.forward(x), r); };
  test::expect_close(dx, test::numeric_gradient(x, f), test::tol::kFiniteDiff, "Sequential dx");
  EXPECT_NE(seq.find("1"), nullptr);
  EXPECT_EQ(seq.find("7"), nullptr);
}

TEST(BatchNorm2dLayer, CountsBatchesAndUsesRunningStatsInEval) {
  BatchNorm2d bn(2);
  Tensor x = random_normal({4, 2, 3, 3}, Seed{"bnl.x"}, 1.0, 2.0);
  bn.forward(x);
  bn.forward(x);
  EXPECT_EQ(bn.batches_tracked(), 2);
  bn.eval();
  bn.running_mean().fill(0.5);
  bn.running_var().fill(4.0);
  Tensor y = bn.forward(x);
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    ASSERT_NEAR(y.item(i), (x.item(i) - 0.5) / std::sqrt(4.0 + 1e-5), 1e-6);
  }
  EXPECT_EQ(bn.batches_tracked(), 2);
}

TEST(Module, ParameterCountAndZeroGrad) {
  Linear fc(5, 3);
  EXPECT_EQ(fc.parameter_count(), 18);
  fc.weight().grad.fill(1.0);
  fc.zero_grad();
  for (double v : fc.weight().grad.to_double_vector()) EXPECT_EQ(v, 0.0);
}

}  // namespace
}  // namespace ctcscope
