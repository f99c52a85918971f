// Inference fusion in whole networks: each of the five networks gives the
// same logits, bit for bit, with fusion on and off, in eval mode on the CPU,
// with batch-norm statistics away from their initial 0 and 1.
#include <gtest/gtest.h>

#include "layers/inference_fusion.h"
#include "models/registry.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

class FusedNetwork : public ::testing::TestWithParam<std::string> {};

TEST_P(FusedNetwork, SameLogitsFusedAndUnfused) {
  auto net = make_model(GetParam(), 2, 3);
  for (auto& [name, buffer] : net->named_buffers()) {
    if (name.ends_with("running_mean")) fill_normal(*buffer, Seed{"fused." + name}, 0, 0.2);
    if (name.ends_with("running_var")) fill_uniform(*buffer, Seed{"fused." + name}, 0.5, 2.0);
  }
  net->eval();
  const Tensor x = random_normal({2, 3, 40, 40}, Seed{"fused.x"});
  set_inference_fusion(false);
  const Tensor unfused = net->forward(x);
  set_inference_fusion(true);
  const Tensor fused = net->forward(x);
  test::expect_close(fused, unfused, test::Tolerance{0, 0}, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Networks, FusedNetwork, ::testing::ValuesIn(model_names()),
                         [](const ::testing::TestParamInfo<std::string>& info) { return info.param; });

}  // namespace
}  // namespace ctcscope
