// The per-layer profiler on the GPU: the same rows and FLOP counts as on the
// CPU, times from cudaEvent pairs (each positive: every leaf launches work)
// that add up to the model's own.
#include <gtest/gtest.h>

#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/linear.h"
#include "layers/pool.h"
#include "layers/profiler.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "tensor/random.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(ProfilerCuda, RowsFlopsAndEventTimesAddUp) {
  CTC_REQUIRE_CUDA();
  Sequential net;
  net.add(std::make_unique<Conv2d>(3, 4, 3, 1, 1));
  net.add(std::make_unique<BatchNorm2d>(4));
  net.add(std::make_unique<ReLU>());
  net.add(std::make_unique<GlobalAvgPool>());
  net.add(std::make_unique<Linear>(4, 2));
  net.to_device(Device::cuda);
  Profiler profiler(Device::cuda);
  profiler.attach(net, "tiny");
  const Tensor x = random_normal({2, 3, 8, 8}, Seed{"test.profiler.x"}).to_device(Device::cuda);
  for (int step = 0; step < 2; ++step) {
    Tensor y = net.forward(x);
    net.backward(Tensor::full(y.shape(), 1.0).to_device(Device::cuda));
  }
  const ProfileResult result = profiler.result();
  ASSERT_EQ(result.rows.size(), 6u);
  EXPECT_DOUBLE_EQ(result.rows[0].flops, 2 * 82944.0);  // the conv: as test_profiler.cpp works it out
  double forward = 0, backward = 0;
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_GT(result.rows[i].forward_ms, 0) << result.rows[i].name;
    EXPECT_GT(result.rows[i].backward_ms, 0) << result.rows[i].name;
  }
  for (const ProfileRow& row : result.rows) {
    forward += row.forward_ms;
    backward += row.backward_ms;
  }
  EXPECT_NEAR(forward, result.total.forward_ms, 1e-9 * result.total.forward_ms);
  EXPECT_NEAR(backward, result.total.backward_ms, 1e-9 * result.total.backward_ms);
  EXPECT_GE(result.rows[5].forward_ms, 0);  // between layers: the model's time less the leaves'
}

}  // namespace
}  // namespace ctcscope
