// ctcscope train --profile: which steps are profiled, the table said line by
// line, the CSV written; a CSV folder that does not exist refused up front.
#include <gtest/gtest.h>

#include "base/csv.h"
#include "base/file_util.h"
#include "layers/linear.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "tests/support/test_util.h"
#include "train/training_profile.h"

namespace ctcscope {
namespace {

struct Epoch {
  std::vector<std::string> said;
  std::vector<CsvRow> csv;
};

// One epoch of `steps` forward/backward steps of a two-layer net under --profile.
Epoch run_epoch(std::int64_t steps) {
  Sequential net;
  net.add(std::make_unique<Linear>(3, 2));
  net.add(std::make_unique<ReLU>());
  TrainConfig config;
  config.model = "two_layers";
  config.profile = test::fresh_test_dir("training_profile") + "/profile.csv";
  Epoch epoch;
  TrainingProfile profile(config, net, steps, [&](const std::string& line) { epoch.said.push_back(line); });
  const Tensor x = Tensor::full({4, 3}, 0.5);
  for (std::int64_t step = 1; step <= steps; ++step) {
    profile.step_starts(step);
    net.backward(Tensor::full(net.forward(x).shape(), 1.0));
    profile.step_ended(step);
  }
  profile.epoch_ended();
  epoch.csv = csv_parse(read_file_bytes(config.profile), config.profile);
  return epoch;
}

std::string calls_of_total(const Epoch& epoch) { return epoch.csv.back().fields[3]; }

TEST(TrainingProfile, SkipsTheWarmUpStepAndProfilesAtMostTen) {
  EXPECT_EQ(calls_of_total(run_epoch(5)), "4");
  EXPECT_EQ(calls_of_total(run_epoch(30)), std::to_string(TrainingProfile::kProfiledSteps));
}

TEST(TrainingProfile, AnEpochOfOneStepIsProfiledWhole) { EXPECT_EQ(calls_of_total(run_epoch(1)), "1"); }

TEST(TrainingProfile, SaysTheTableAndWritesOneCsvRowPerLayerAndTheTotal) {
  const Epoch epoch = run_epoch(3);
  ASSERT_FALSE(epoch.said.empty());
  EXPECT_NE(epoch.said.front().find("profile of two_layers"), std::string::npos) << epoch.said.front();
  EXPECT_NE(epoch.said.back().find("profile: wrote"), std::string::npos) << epoch.said.back();
  // The header, Linear, ReLU, (between layers), the total.
  ASSERT_EQ(epoch.csv.size(), 5u);
  EXPECT_EQ(epoch.csv.back().fields[1], "total");
}

TEST(TrainingProfile, ACsvFolderThatDoesNotExistIsRefusedUpFront) {
  TrainConfig config;
  config.profile = test::fresh_test_dir("training_profile") + "/missing/profile.csv";
  test::expect_error_containing([&] { TrainingProfile::check_output(config); }, "missing");
  config.profile = "";
  TrainingProfile::check_output(config);  // no profile: nothing to check
}

}  // namespace
}  // namespace ctcscope
