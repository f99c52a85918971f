// BasicBlock and Bottleneck gradient-checked end to end in double precision:
// the input and every parameter, against central differences.
#include <gtest/gtest.h>

#include "layers/basic_block.h"
#include "layers/bottleneck.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::dot;
using test::expect_close;
using test::numeric_gradient;

// Randomises every parameter so that BatchNorm gamma/beta are not 1/0 and
// the check sees every term.
void randomise(Module& m, const std::string& tag) {
  for (auto& [name, p] : m.named_parameters()) {
    fill_normal(p->value, Seed{tag + "." + name}, name.ends_with(".weight") && p->value.dim() == 1 ? 1.0 : 0.0,
                0.5);
  }
}

// f(x, params) = sum(block(x) * r); its gradients by x and by every
// parameter, analytic (backward) against numeric.
void check_block_gradients(Module& block, const Shape& x_shape, const std::string& tag) {
  block.to_dtype(DType::f64);
  randomise(block, tag);
  block.train();
  Tensor x = test::random_away_from_zero(x_shape, Seed{tag + ".x"});
  Tensor y = block.forward(x);
  Tensor r = random_normal(y.shape(), Seed{tag + ".r"}, 0, 1, DType::f64);
  block.zero_grad();
  Tensor dx = block.backward(r);

  auto f = [&] { return dot(block.forward(x), r); };
  expect_close(dx, numeric_gradient(x, f), test::tol::kFiniteDiff, tag + " dx");
  for (auto& [name, p] : block.named_parameters()) {
    Tensor analytic = p->grad.clone();
    expect_close(analytic, numeric_gradient(p->value, f), test::tol::kFiniteDiff, tag + " d" + name);
  }
}

TEST(BasicBlock, GradientsMatchFiniteDifferences_Identity) {
  BasicBlock block(4, 4, 1);
  check_block_gradients(block, {2, 4, 5, 7}, "basic.identity");
}

TEST(BasicBlock, GradientsMatchFiniteDifferences_Downsample) {
  BasicBlock block(3, 4, 2);
  check_block_gradients(block, {2, 3, 7, 9}, "basic.down");
}

TEST(Bottleneck, GradientsMatchFiniteDifferences_Identity) {
  Bottleneck block(8, 2, 1);
  check_block_gradients(block, {2, 8, 5, 3}, "bottleneck.identity");
}

TEST(Bottleneck, GradientsMatchFiniteDifferences_Downsample) {
  Bottleneck block(6, 2, 2);
  check_block_gradients(block, {3, 6, 7, 5}, "bottleneck.down");
}

TEST(Bottleneck, ParameterNamesFollowTorchvision) {
  Bottleneck block(64, 64, 1);
  std::vector<std::string> names;
  for (auto& np : block.named_parameters()) names.push_back(np.name);
  std::vector<std::string> expected = {
      "conv1.weight", "bn1.weight", "bn1.bias", "conv2.weight", "bn2.weight", "bn2.bias",
      "conv3.weight", "bn3.weight", "bn3.bias", "downsample.0.weight", "downsample.1.weight",
      "downsample.1.bias"};
  EXPECT_EQ(names, expected);
}

TEST(BasicBlock, GradientsAccumulateUntilZeroGrad) {
  BasicBlock block(3, 4, 2);
  block.to_dtype(DType::f64);
  randomise(block, "basic.acc");
  Tensor x = test::random_away_from_zero({2, 3, 7, 9}, Seed{"basic.acc.x"});
  Tensor r = random_normal({2, 4, 4, 5}, Seed{"basic.acc.r"}, 0, 1, DType::f64);
  block.zero_grad();
  block.forward(x);
  block.backward(r.clone());
  std::vector<Tensor> once;
  for (Parameter* p : block.parameters()) once.push_back(p->grad.clone());
  block.forward(x);
  block.backward(r.clone());
  auto params = block.parameters();
  for (std::size_t i = 0; i < params.size(); ++i) {
    Tensor twice = once[i].clone();
    for (std::int64_t j = 0; j < twice.numel(); ++j) twice.data<double>()[j] *= 2;
    expect_close(params[i]->grad, twice, test::tol::kDouble, "doubled grad");
  }
  block.zero_grad();
  for (Parameter* p : block.parameters()) {
    for (double v : p->grad.to_double_vector()) ASSERT_EQ(v, 0.0);
  }
}

TEST(BasicBlock, EvalModeKeepsNothingAndRefusesBackward) {
  BasicBlock block(4, 4, 1);
  block.eval();
  Tensor x = random_normal({1, 4, 6, 6}, Seed{"basic.eval.x"});
  Tensor y = block.forward(x);
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_THROW(block.backward(y), Error);
}

}  // namespace
}  // namespace ctcscope
