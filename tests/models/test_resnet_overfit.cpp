// ResNet18 learns a tiny random problem: forward, backward, cross-entropy and
// AdamW fit together well enough to drive the loss to near zero.
#include <gtest/gtest.h>

#include <cmath>

#include "layers/cross_entropy_loss.h"
#include "models/resnet.h"
#include "optim/adamw.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

TEST(ResNet18, OverfitsATinyRandomProblem) {
  // 8 random 32x32 images with labels 0/1; AdamW at torch's defaults.
  // Bound: the loss falls from about ln 2 to under 0.05 within 40 steps.
  constexpr int kMaxSteps = 40;
  constexpr double kBound = 0.05;
  ResNet model(kResNet18, 2, 3);
  model.train();
  Tensor x = random_normal({8, 3, 32, 32}, Seed{"overfit.x"});
  Tensor labels = Tensor::from_vector(std::vector<std::int64_t>{0, 1, 1, 0, 1, 0, 0, 1}, {8});
  AdamW optimizer(model.named_parameters(), AdamWOptions{});
  CrossEntropyLoss criterion;
  double first = 0, loss = 0;
  int step = 0;
  for (step = 1; step <= kMaxSteps; ++step) {
    model.zero_grad();
    loss = criterion.forward(model.forward(x), labels);
    ASSERT_TRUE(std::isfinite(loss)) << "step " << step;
    if (step == 1) first = loss;
    if (loss < kBound) break;
    model.backward(criterion.backward());
    optimizer.step();
  }
  EXPECT_GT(first, 0.3);
  EXPECT_LT(loss, kBound) << "after " << kMaxSteps << " steps, from " << first;
  // Eval mode (running statistics) agrees with the training labels too.
  model.eval();
  Tensor logits = model.forward(x);
  int correct = 0;
  for (int i = 0; i < 8; ++i) {
    int call = logits.item(2 * i + 1) > logits.item(2 * i) ? 1 : 0;
    correct += call == labels.item(i);
  }
  EXPECT_GE(correct, 6) << "eval-mode calls on the training batch";
}

}  // namespace
}  // namespace ctcscope
