// DenseNet's and EfficientNet's blocks gradient-checked end to end in double
// precision (narrow versions): DenseLayer, DenseBlock, Transition,
// SqueezeExcitation, MBConv with and without the residual (stochastic depth
// on, its mask held fixed by re-seeding); Conv2d's bias; Dropout and
// StochasticDepth in eval mode; torchvision's parameter names.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "layers/dense_block.h"
#include "layers/dropout.h"
#include "layers/mbconv.h"
#include "layers/sequential.h"
#include "layers/squeeze_excitation.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::dot;
using test::expect_close;
using test::numeric_gradient;

void randomise(Module& m, const std::string& tag) {
  for (auto& [name, p] : m.named_parameters()) {
    fill_normal(p->value, Seed{tag + "." + name}, name.ends_with(".weight") && p->value.dim() == 1 ? 1.0 : 0.0,
                0.5);
  }
}

// f(x, params) = sum(block(x) * r); analytic gradients of x and every
// parameter against central differences. `before_forward` runs before each
// forward (to re-seed a random mask).
void check_block_gradients(Module& block, const Shape& x_shape, const std::string& tag,
                           const std::function<void()>& before_forward = [] {}) {
  block.to_dtype(DType::f64);
  randomise(block, tag);
  block.train();
  Tensor x = test::random_away_from_zero(x_shape, Seed{tag + ".x"});
  before_forward();
  Tensor y = block.forward(x);
  Tensor r = random_normal(y.shape(), Seed{tag + ".r"}, 0, 1, DType::f64);
  block.zero_grad();
  Tensor dx = block.backward(r);

  auto f = [&] {
    before_forward();
    return dot(block.forward(x), r);
  };
  expect_close(dx, numeric_gradient(x, f), test::tol::kFiniteDiff, tag + " dx");
  for (auto& [name, p] : block.named_parameters()) {
    Tensor analytic = p->grad.clone();
    expect_close(analytic, numeric_gradient(p->value, f), test::tol::kFiniteDiff, tag + " d" + name);
  }
}

std::vector<std::string> names_of(Module& m) {
  std::vector<std::string> out;
  for (auto& e : m.state_dict()) out.push_back(e.name);
  return out;
}

TEST(DenseLayer, GradientsMatchFiniteDifferences) {
  DenseLayer layer(3, 2, 2);
  check_block_gradients(layer, {2, 3, 5, 4}, "dense.layer");
}

TEST(DenseBlock, GradientsMatchFiniteDifferences) {
  DenseBlock block(2, 3, 2, 2);
  EXPECT_EQ(block.out_channels(), 7);
  check_block_gradients(block, {2, 3, 4, 5}, "dense.block");
}

TEST(Transition, GradientsMatchFiniteDifferences) {
  Transition t(4, 2);
  check_block_gradients(t, {2, 4, 4, 6}, "dense.transition");
}

TEST(DenseBlock, NamesFollowTorchvision) {
  DenseBlock block(2, 4, 2, 2);
  std::vector<std::string> want;
  for (const char* l : {"denselayer1", "denselayer2"}) {
    for (const char* m : {"norm1", "conv1", "norm2", "conv2"}) {
      const std::string p = std::string(l) + "." + m;
      if (m[0] == 'c') {
        want.push_back(p + ".weight");
      } else {
        for (const char* s : {".weight", ".bias", ".running_mean", ".running_var", ".num_batches_tracked"})
          want.push_back(p + s);
      }
    }
  }
  EXPECT_EQ(names_of(block), want);
}

TEST(Conv2dBias, GradientsMatchFiniteDifferences) {
  Conv2dOptions o;
  o.in_channels = 3;
  o.out_channels = 2;
  o.kernel_h = o.kernel_w = 3;
  o.params.pad_h = o.params.pad_w = 1;
  o.bias = true;
  Conv2d conv(o);
  EXPECT_EQ(names_of(conv), (std::vector<std::string>{"weight", "bias"}));
  check_block_gradients(conv, {2, 3, 4, 5}, "conv.bias");
}

TEST(SqueezeExcitation, GradientsMatchFiniteDifferences) {
  SqueezeExcitation se(6, 2);
  EXPECT_EQ(names_of(se), (std::vector<std::string>{"fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"}));
  check_block_gradients(se, {2, 6, 3, 5}, "se");
}

TEST(MBConv, GradientsMatchFiniteDifferences_ResidualWithStochasticDepth) {
  MBConvOptions o;
  o.expand_ratio = 2;
  o.kernel = 3;
  o.in_channels = o.out_channels = 4;
  o.stochastic_depth_p = 0.5;
  MBConv block(o);
  ASSERT_TRUE(block.residual());
  // The same mask for every forward of the check: stochastic depth is linear in its input then.
  check_block_gradients(block, {3, 4, 5, 5}, "mbconv.res",
                        [&] { block.stochastic_depth().set_seed(Seed{"mbconv.sd", 1}); });
}

TEST(MBConv, GradientsMatchFiniteDifferences_StridedNoExpansion) {
  MBConvOptions o;
  o.expand_ratio = 1;
  o.kernel = 5;
  o.stride = 2;
  o.in_channels = 8;
  o.out_channels = 4;
  MBConv block(o);
  ASSERT_FALSE(block.residual());
  check_block_gradients(block, {2, 8, 5, 6}, "mbconv.strided");
}

TEST(MBConv, NamesFollowTorchvision) {
  MBConvOptions o;
  o.expand_ratio = 6;
  o.in_channels = 24;
  o.out_channels = 32;
  o.stride = 2;
  MBConv block(o);
  std::vector<std::string> params;
  for (auto& np : block.named_parameters()) params.push_back(np.name + " " + np.item->value.shape_str());
  // torchvision efficientnet_b4 features.2.0 (state_dict fixture), parameters only.
  std::vector<std::string> want = {
      "block.0.0.weight [144,24,1,1]", "block.0.1.weight [144]", "block.0.1.bias [144]",
      "block.1.0.weight [144,1,3,3]", "block.1.1.weight [144]", "block.1.1.bias [144]",
      "block.2.fc1.weight [6,144,1,1]", "block.2.fc1.bias [6]", "block.2.fc2.weight [144,6,1,1]",
      "block.2.fc2.bias [144]", "block.3.0.weight [32,144,1,1]", "block.3.1.weight [32]",
      "block.3.1.bias [32]"};
  EXPECT_EQ(params, want);
}

TEST(MakeDivisible, AsTorchvision) {
  // _make_divisible(c * 1.4, 8) for EfficientNet-B4's channels.
  EXPECT_EQ(make_divisible(32 * 1.4), 48);
  EXPECT_EQ(make_divisible(16 * 1.4), 24);
  EXPECT_EQ(make_divisible(24 * 1.4), 32);
  EXPECT_EQ(make_divisible(40 * 1.4), 56);
  EXPECT_EQ(make_divisible(80 * 1.4), 112);
  EXPECT_EQ(make_divisible(112 * 1.4), 160);
  EXPECT_EQ(make_divisible(192 * 1.4), 272);
  EXPECT_EQ(make_divisible(320 * 1.4), 448);
  EXPECT_EQ(make_divisible(3), 8);
}

TEST(Dropout, IdentityInEval_RandomAndAdvancingInTraining) {
  Dropout d(0.5, Seed{"t.dropout"});
  Tensor x = Tensor::full({4, 64}, 1.0);
  d.eval();
  EXPECT_TRUE(d.forward(x).same_data(x));
  EXPECT_TRUE(d.backward(x).same_data(x)) << "an eval-mode backward is the identity too (Grad-CAM's head)";
  d.train();
  auto a = d.forward(x).to_double_vector();
  d.backward(Tensor::full({4, 64}, 1.0));
  auto b = d.forward(x).to_double_vector();
  EXPECT_NE(a, b) << "each training step draws a new mask";
  Tensor dx = d.backward(Tensor::full({4, 64}, 1.0));
  EXPECT_EQ(dx.to_double_vector(), b) << "backward applies the forward's mask";
  d.forward(x);
  d.eval();  // drops the mask: the training forward's backward cannot run
  EXPECT_THROW(d.backward(x), Error);
}

// A resumed run puts each random layer where N training forwards left it:
// the next masks are those of a layer that ran them.
TEST(RandomLayers, SetRandomDrawsResumesTheStreamOfMasks) {
  MBConvOptions o;
  o.in_channels = o.out_channels = 8;
  o.expand_ratio = 1;
  o.stochastic_depth_p = 0.5;
  o.seed = Seed{"t.resume.sd"};
  Sequential ran, resumed;
  ran.add(std::make_unique<Dropout>(0.5, Seed{"t.resume.dropout"}));
  ran.add(std::make_unique<MBConv>(o));
  resumed.add(std::make_unique<Dropout>(0.5, Seed{"t.resume.dropout"}));
  resumed.add(std::make_unique<MBConv>(o));
  Tensor x = random_normal({16, 8, 3, 3}, Seed{"t.resume.x"});
  for (int step = 0; step < 3; ++step) ran.forward(x);
  resumed.set_random_draws(3);
  EXPECT_EQ(resumed.forward(x).to_double_vector(), ran.forward(x).to_double_vector());
  resumed.set_random_draws(0);
  EXPECT_NE(resumed.forward(x).to_double_vector(), ran.forward(x).to_double_vector());
}

TEST(StochasticDepth, IdentityInEval) {
  StochasticDepth sd(0.9, Seed{"t.sd"});
  Tensor x = Tensor::full({8, 2, 2, 2}, 1.0);
  sd.eval();
  EXPECT_TRUE(sd.forward(x).same_data(x));
  EXPECT_TRUE(sd.backward(x).same_data(x));
}

}  // namespace
}  // namespace ctcscope
