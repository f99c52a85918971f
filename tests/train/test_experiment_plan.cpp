// The experiment grid's plan: Table 2 ("architectures") lists the paper's four
// networks, all of which the registry builds, with nothing left out.
#include <gtest/gtest.h>

#include "train/experiment.h"

namespace ctcscope {
namespace {

TEST(ExperimentPlan, ArchitecturesGridHasAllFourPaperNetworks) {
  ExperimentOptions o;
  o.grid = ExperimentGrid::architectures;
  o.seeds = 2;
  o.out_dir = "exp";
  std::vector<std::string> notes;
  const std::vector<ExperimentRun> plan = experiment_plan(o, &notes);
  EXPECT_TRUE(notes.empty()) << notes.front();
  std::vector<std::string> models;
  for (const auto& r : plan) {
    if (r.seed == 0) models.push_back(r.model);
    EXPECT_EQ(r.ablation, kDefaultAblation);
  }
  EXPECT_EQ(models, (std::vector<std::string>{"densenet121", "efficientnet_b4", "resnet50", "resnet34"}));
  EXPECT_EQ(plan.size(), 8u);
}

}  // namespace
}  // namespace ctcscope
