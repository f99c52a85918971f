// The experiment grid's plan: Table 2 ("architectures") lists the paper's four
// networks, all of which the registry builds, with nothing left out.
#include <gtest/gtest.h>

#include "train/experiment_plan.h"

namespace ctcscope {
namespace {

TEST(ExperimentPlan, ArchitecturesGridHasAllFourPaperNetworks) {
  ExperimentOptions o;
  o.grid = ExperimentGrid::architectures;
  o.seeds = 2;
  o.out_dir = "exp";
  const ExperimentPlan plan = plan_experiment(o);
  EXPECT_TRUE(plan.notes.empty()) << plan.notes.front();
  std::vector<std::string> models;
  for (const auto& r : plan.runs) {
    if (r.config.seed == 0) models.push_back(r.config.model);
    EXPECT_EQ(r.config.ablation, kDefaultAblation);
  }
  EXPECT_EQ(models, (std::vector<std::string>{"densenet121", "efficientnet_b4", "resnet50", "resnet34"}));
  EXPECT_EQ(plan.runs.size(), 8u);
}

}  // namespace
}  // namespace ctcscope
