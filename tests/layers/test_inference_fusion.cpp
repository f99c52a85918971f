// Inference fusion at the layer level: a Conv2d -> BatchNorm2d -> ReLU/SiLU
// chain gives the same bits fused and unfused; the batch norm and activation
// pass their input through only when the fused convolution did their work
// (eval mode for all three, the CPU, fusion on), never in training, never
// when one of the three is in training mode (Grad-CAM runs a network half in
// each), and fuse_for_inference refuses what it cannot fuse.
#include <gtest/gtest.h>

#include "layers/activation.h"
#include "layers/basic_block.h"
#include "layers/bottleneck.h"
#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/inference_fusion.h"
#include "layers/pool.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

constexpr test::Tolerance kSameBits{0, 0};  // the same expressions in the same order

// conv -> bn -> activation with random weights and running statistics away from 0 and 1.
struct Chain {
  Sequential seq;
  Conv2d* conv;
  BatchNorm2d* bn;
  Module* act;

  explicit Chain(bool silu) {
    conv = &seq.add(std::make_unique<Conv2d>(4, 6, 3, 2, 1));
    bn = &seq.add(std::make_unique<BatchNorm2d>(6));
    act = silu ? static_cast<Module*>(&seq.add(std::make_unique<SiLU>()))
               : static_cast<Module*>(&seq.add(std::make_unique<ReLU>(true)));
    fill_normal(conv->weight().value, Seed{"fusion.w"}, 0, 0.3);
    fill_normal(bn->weight().value, Seed{"fusion.gamma"}, 1, 0.5);
    fill_normal(bn->bias().value, Seed{"fusion.beta"}, 0, 0.5);
    fill_normal(bn->running_mean(), Seed{"fusion.mean"}, 0, 0.5);
    fill_uniform(bn->running_var(), Seed{"fusion.var"}, 0.1, 2.0);
    fuse_for_inference(*conv, *bn, act);
  }
};

Tensor input() { return random_normal({3, 4, 9, 11}, Seed{"fusion.x"}); }

// Restores the switch whatever the test does.
struct FusionSwitch {
  explicit FusionSwitch(bool on) { set_inference_fusion(on); }
  ~FusionSwitch() { set_inference_fusion(true); }
};

TEST(InferenceFusion, FusedChainGivesTheUnfusedBits) {
  for (bool silu : {false, true}) {
    Chain c(silu);
    c.seq.eval();
    Tensor unfused;
    {
      FusionSwitch off(false);
      unfused = c.seq.forward(input());
    }
    test::expect_close(c.seq.forward(input()), unfused, kSameBits, silu ? "silu" : "relu");
  }
}

TEST(InferenceFusion, BatchNormAndActivationPassThroughOnlyWhenFused) {
  Chain c(false);
  const Tensor y = random_normal({3, 6, 5, 6}, Seed{"fusion.y"});
  c.seq.eval();
  EXPECT_TRUE(c.bn->forward(y).same_data(y)) << "eval, CPU, fusion on: the conv did the batch norm";
  EXPECT_TRUE(c.act->forward(y).same_data(y));
  {
    FusionSwitch off(false);
    EXPECT_FALSE(c.bn->forward(y).same_data(y)) << "fusion off: batch norm runs itself";
  }
  c.bn->train(true);  // the conv in eval mode, its batch norm in training: nothing fused
  EXPECT_FALSE(c.bn->forward(y).same_data(y));
  c.seq.train(true);
  EXPECT_FALSE(c.bn->forward(y).same_data(y)) << "training: batch norm runs itself";
}

TEST(InferenceFusion, AnActivationInTrainingModeStopsTheFusion) {
  Chain c(true);
  const Tensor y = random_normal({3, 6, 5, 6}, Seed{"fusion.y"});
  c.seq.eval();
  c.act->train(true);  // SiLU caching its input for a backward: it must see the batch norm's output
  EXPECT_FALSE(c.bn->forward(y).same_data(y));
  EXPECT_FALSE(c.act->forward(y).same_data(y));
}

// The residual blocks' last convolution takes the batch norm, the add and
// the ReLU in eval mode: the same bits as the four steps.
TEST(InferenceFusion, ResidualBlocksGiveTheUnfusedBits) {
  BasicBlock basic(8, 16, 2);  // with a downsample
  Bottleneck bottleneck(16, 4, 1);  // identity: the input itself is the residual
  for (Module* block : {static_cast<Module*>(&basic), static_cast<Module*>(&bottleneck)}) {
    for (auto& [name, p] : block->named_parameters()) fill_normal(p->value, Seed{"fusion." + name}, 0.1, 0.3);
    for (auto& [name, b] : block->named_buffers()) {
      if (name.ends_with("running_var")) fill_uniform(*b, Seed{"fusion." + name}, 0.1, 2.0);
    }
    block->eval();
    const Tensor x = random_normal({3, block == &basic ? 8 : 16, 9, 7}, Seed{"fusion.block.x"});
    Tensor unfused;
    {
      FusionSwitch off(false);
      unfused = block->forward(x);
    }
    test::expect_close(block->forward(x), unfused, kSameBits, block->describe());
  }
}

TEST(InferenceFusion, ForwardWithResidualOnlyWhenFused) {
  Conv2d conv(4, 4, 3, 1, 1);
  BatchNorm2d bn(4);
  ReLU relu(true);
  fuse_residual_output(conv, bn, relu);
  const Tensor x = random_normal({2, 4, 5, 5}, Seed{"fusion.residual.x"});
  test::expect_error_containing([&] { conv.forward_with_residual(x, x); }, "not fused with a residual");
  conv.eval(), bn.eval(), relu.eval();
  EXPECT_TRUE(conv.fuses_residual(x));
  EXPECT_FALSE(bn.forward(x).same_data(x)) << "the block, not the batch norm, chooses the fused path";
}

// DenseNet's pre-activation: a batch norm with no convolution before it
// applies the ReLU in its own pass.
TEST(InferenceFusion, BatchNormThenReluGivesTheUnfusedBits) {
  Sequential seq;
  auto& bn = seq.add(std::make_unique<BatchNorm2d>(4));
  auto& relu = seq.add(std::make_unique<ReLU>(false));  // not in place: a new output unless it passes through
  fill_normal(bn.running_mean(), Seed{"fusion.mean"}, 0, 0.5);
  fill_uniform(bn.running_var(), Seed{"fusion.var"}, 0.1, 2.0);
  fuse_for_inference(bn, relu);
  seq.eval();
  const Tensor x = input();
  Tensor unfused;
  {
    FusionSwitch off(false);
    unfused = seq.forward(x);
  }
  test::expect_close(seq.forward(x), unfused, kSameBits, "bn relu");
  EXPECT_TRUE(relu.forward(x).same_data(x)) << "the batch norm applied the ReLU";
  EXPECT_FALSE(bn.forward(x).same_data(x));
  seq.train(true);
  EXPECT_FALSE(relu.forward(x).same_data(x)) << "training: the ReLU runs itself";
}

TEST(InferenceFusion, RefusesWhatItCannotFuse) {
  Conv2dOptions o;
  o.in_channels = 2, o.out_channels = 3, o.bias = true;
  Conv2d with_bias(o);
  BatchNorm2d bn(3);
  test::expect_error_containing([&] { fuse_for_inference(with_bias, bn); }, "has a bias");
  Conv2d conv(2, 3, 1);
  MaxPool2d pool(2, 2);
  test::expect_error_containing([&] { fuse_for_inference(conv, bn, &pool); }, "ReLU or SiLU only");
}

}  // namespace
}  // namespace ctcscope
