// The per-layer profiler on a tiny network of known shapes: one row per leaf
// under its path name, FLOPs and bytes equal to the formulas worked by hand,
// times that add up to the total, and nothing recorded once detached.
#include <gtest/gtest.h>

#include <map>

#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/linear.h"
#include "layers/pool.h"
#include "layers/profiler.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

// x [2,3,8,8] -> conv 3x3 pad 1 [2,4,8,8] -> BN -> ReLU -> (max pool 2x2) [2,4,4,4] -> GAP [2,4] -> linear [2,2].
// The max pool sits in a nested Sequential, so its path is "3.0".
std::unique_ptr<Sequential> tiny_net() {
  auto net = std::make_unique<Sequential>();
  net->add(std::make_unique<Conv2d>(3, 4, 3, 1, 1));
  net->add(std::make_unique<BatchNorm2d>(4));
  net->add(std::make_unique<ReLU>());
  auto inner = std::make_unique<Sequential>();
  inner->add(std::make_unique<MaxPool2d>(2, 2));
  net->add(std::move(inner));
  net->add(std::make_unique<GlobalAvgPool>());
  net->add(std::make_unique<Linear>(4, 2));
  return net;
}

void train_steps(Module& net, int steps) {
  const Tensor x = random_normal({2, 3, 8, 8}, Seed{"test.profiler.x"});
  for (int i = 0; i < steps; ++i) {
    Tensor y = net.forward(x);
    net.backward(Tensor::full(y.shape(), 1.0));
  }
}

std::map<std::string, ProfileRow> by_name(const ProfileResult& result) {
  std::map<std::string, ProfileRow> rows;
  for (const ProfileRow& row : result.rows) rows[row.name] = row;
  return rows;
}

TEST(Profiler, OneRowPerLeafUnderItsPathNameAndKind) {
  auto net = tiny_net();
  Profiler profiler(Device::cpu);
  profiler.attach(*net, "tiny");
  train_steps(*net, 1);
  const ProfileResult result = profiler.result();
  std::vector<std::string> names, kinds;
  for (const ProfileRow& row : result.rows) {
    names.push_back(row.name);
    kinds.push_back(row.kind);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"0", "1", "2", "3.0", "4", "5", kBetweenLayers}));
  EXPECT_EQ(kinds, (std::vector<std::string>{"Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "GlobalAvgPool",
                                             "Linear", "glue"}));
  EXPECT_EQ(result.rows[0].shape, "2x3x8x8");
  EXPECT_EQ(result.rows[3].shape, "2x4x8x8");
  EXPECT_EQ(result.total.name, "tiny");
}

// Per step, by the formulas in each layer's cost() (E = 2*4*8*8 = 512):
//   conv   forward 2*N*K*P*Q*C*R*S = 2*2*4*8*8*3*3*3 = 27648, backward twice that: 82944
//   BN     (5 + 9) * 512 = 7168         ReLU (1 + 1) * 512 = 1024
//   pool   forward 128 outputs * 4 = 512, backward 128: 640
//   GAP    128 + 128 = 256
//   linear forward 2*2*4*2 + 2*2 = 36, backward 4*2*4*2 + 2*2 = 68: 104
TEST(Profiler, FlopsAndBytesFollowTheFormulas) {
  auto net = tiny_net();
  Profiler profiler(Device::cpu);
  profiler.attach(*net, "tiny");
  train_steps(*net, 2);
  auto rows = by_name(profiler.result());
  const double steps = 2;
  EXPECT_DOUBLE_EQ(rows["0"].flops, steps * 82944);
  EXPECT_DOUBLE_EQ(rows["1"].flops, steps * 7168);
  EXPECT_DOUBLE_EQ(rows["2"].flops, steps * 1024);
  EXPECT_DOUBLE_EQ(rows["3.0"].flops, steps * 640);
  EXPECT_DOUBLE_EQ(rows["4"].flops, steps * 256);
  EXPECT_DOUBLE_EQ(rows["5"].flops, steps * 104);
  EXPECT_DOUBLE_EQ(rows[kBetweenLayers].flops, 0);
  // conv bytes, f32: forward x 384 + w 108 + y 512 values; backward dy 512 + x 384 + w 108 + dw 108 + dx 384.
  EXPECT_DOUBLE_EQ(rows["0"].bytes, steps * 4 * (1004 + 1496));
  // ReLU: x, y forward; dy, y, dx backward.
  EXPECT_DOUBLE_EQ(rows["2"].bytes, steps * 4 * 512 * 5);
  for (auto& [name, row] : rows) EXPECT_EQ(row.calls, 2) << name;
}

TEST(Profiler, AConvolutionWithoutInputGradientCountsOnlyDw) {
  Sequential net;
  net.add(std::make_unique<Conv2d>(3, 4, 3, 1, 1)).set_input_grad(false);
  Profiler profiler(Device::cpu);
  profiler.attach(net, "one_conv");
  const Tensor x = random_normal({2, 3, 8, 8}, Seed{"test.profiler.x"});
  Tensor y = net.forward(x);
  net.backward(Tensor::full(y.shape(), 1.0));
  EXPECT_DOUBLE_EQ(profiler.result().rows[0].flops, 27648.0 * 2);
}

TEST(Profiler, TimesAreNonNegativeAndAddUpToTheTotal) {
  auto net = tiny_net();
  Profiler profiler(Device::cpu);
  profiler.attach(*net, "tiny");
  train_steps(*net, 3);
  const ProfileResult result = profiler.result();
  double forward = 0, backward = 0, flops = 0;
  for (const ProfileRow& row : result.rows) {
    EXPECT_GE(row.forward_ms, 0) << row.name;
    EXPECT_GE(row.backward_ms, 0) << row.name;
    forward += row.forward_ms;
    backward += row.backward_ms;
    flops += row.flops;
  }
  EXPECT_GT(result.total.forward_ms, 0);
  EXPECT_EQ(result.total.calls, 3);
  EXPECT_NEAR(forward, result.total.forward_ms, 1e-9 * result.total.forward_ms);
  EXPECT_NEAR(backward, result.total.backward_ms, 1e-9 * result.total.backward_ms);
  EXPECT_DOUBLE_EQ(flops, result.total.flops);
}

TEST(Profiler, DetachedRecordsNothingAndLeavesNoPointerBehind) {
  auto net = tiny_net();
  {
    Profiler profiler(Device::cpu);
    profiler.attach(*net, "tiny");
    profiler.detach();
    EXPECT_FALSE(profiler.attached());
    train_steps(*net, 1);
    const ProfileResult result = profiler.result();
    EXPECT_EQ(result.total.calls, 0);
    for (const ProfileRow& row : result.rows) {
      EXPECT_EQ(row.calls, 0) << row.name;
      EXPECT_EQ(row.flops, 0) << row.name;
      EXPECT_EQ(row.ms(), 0) << row.name;
    }
    profiler.attach(*net, "tiny");
  }
  train_steps(*net, 1);  // the profiler is gone: its destructor detached it
}

}  // namespace
}  // namespace ctcscope
