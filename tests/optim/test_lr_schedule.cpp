// Learning-rate schedules (optim/lr_schedule.h) against the rates torch's
// schedulers give an SGD optimizer, step by step.
#include <gtest/gtest.h>

#include <vector>

#include "optim/lr_schedule.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// torch updates the rate recursively (lr *= gamma; the cosine recurrence),
// the schedule uses the closed form: they agree to a few double roundings.
constexpr double kRecursiveVsClosedForm = 1e-12;  // relative

// Rates for steps t = 0, 1, ... as torch reports them before each optimizer step:
//   import torch; L = torch.optim.lr_scheduler
//   def run(make, n):
//       p = torch.nn.Parameter(torch.zeros(1)); o = torch.optim.SGD([p], lr=0.1)
//       s = make(o); out = []
//       for t in range(n):
//           out.append(o.param_groups[0]['lr']); o.step(); s.step()
//       return out
//   run(lambda o: L.StepLR(o, step_size=3, gamma=0.5), 12)
//   run(lambda o: L.SequentialLR(o, [L.LinearLR(o, start_factor=0.01, total_iters=5),
//       L.CosineAnnealingLR(o, T_max=15, eta_min=1e-4)], milestones=[5]), 21)
//   (printed with f"{v:.17g}")
const std::vector<double> kTorchStepLr = {0.1,   0.1,   0.1,   0.05,   0.05,   0.05,
                                          0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125};
const std::vector<double> kTorchWarmupCosine = {
    0.001,
    0.020799999999999999,
    0.040599999999999997,
    0.060399999999999995,
    0.080199999999999994,
    0.10000000000000001,
    0.098908472656653604,
    0.095681595609247924,
    0.090460398869028638,
    0.083473073787624974,
    0.075025000000000008,
    0.065485398869028641,
    0.055271196740219311,
    0.044828803259780732,
    0.034614601130971395,
    0.025075000000000017,
    0.016626926212375052,
    0.0096396011309713824,
    0.0044184043907520825,
    0.0011915273433464062,
    0.0001};

void expect_rates(const LrSchedule& s, const std::vector<double>& torch_rates) {
  for (std::size_t t = 0; t < torch_rates.size(); ++t) {
    EXPECT_NEAR(s.lr_at(static_cast<std::int64_t>(t)), torch_rates[t],
                kRecursiveVsClosedForm * torch_rates[t])
        << "step " << t << " of " << s.describe();
  }
}

TEST(LrSchedule, Constant) {
  LrSchedule s = LrSchedule::constant(1e-7);
  for (std::int64_t t : {0, 1, 1000, 1000000}) EXPECT_EQ(s.lr_at(t), 1e-7);
}

TEST(LrSchedule, StepMatchesTorchStepLR) {
  expect_rates(LrSchedule::step(0.1, 3, 0.5), kTorchStepLr);
}

TEST(LrSchedule, WarmupCosineMatchesTorchLinearThenCosine) {
  expect_rates(LrSchedule::warmup_cosine(0.1, 20, 5, 0.01, 1e-4), kTorchWarmupCosine);
}

// Past total_steps the rate stays at min_lr (torch's CosineAnnealingLR would
// rise again: it is periodic).
TEST(LrSchedule, WarmupCosineHoldsMinAfterTotal) {
  LrSchedule s = LrSchedule::warmup_cosine(0.1, 20, 5, 0.01, 1e-4);
  for (std::int64_t t : {20, 21, 100}) EXPECT_EQ(s.lr_at(t), 1e-4);
}

TEST(LrSchedule, CosineWithoutWarmup) {
  // min + (base - min) (1 + cos(pi t / T)) / 2 at t = 0, T/2, T.
  LrSchedule s = LrSchedule::warmup_cosine(1e-3, 10, 0, 1.0, 0.0);
  EXPECT_DOUBLE_EQ(s.lr_at(0), 1e-3);
  EXPECT_NEAR(s.lr_at(5), 5e-4, 1e-18);
  EXPECT_EQ(s.lr_at(10), 0.0);
}

TEST(LrSchedule, RejectsBadArguments) {
  EXPECT_THROW(LrSchedule::step(0.1, 0, 0.5), Error);
  EXPECT_THROW(LrSchedule::warmup_cosine(0.1, 5, 5, 0.1, 0.0), Error);
  EXPECT_THROW(LrSchedule::warmup_cosine(0.1, 10, 2, 0.0, 0.0), Error);
  EXPECT_THROW(LrSchedule::warmup_cosine(0.1, 10, 2, 0.1, 0.2), Error);
  EXPECT_THROW(LrSchedule::constant(0.1).lr_at(-1), Error);
}

}  // namespace
}  // namespace ctcscope
