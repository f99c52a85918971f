// The training options as flags of train and experiment
// (tools/training_options.cpp): every flag parses, the defaults, and bad
// values are usage errors naming the flag.
#include <gtest/gtest.h>

#include "tests/support/test_util.h"
#include "tests/train/train_option_samples.h"
#include "tools/commands.h"
#include "train/train_options.h"

namespace ctcscope::cli {
namespace {

TrainConfig parsed(TrainingCommand command, const std::vector<std::string>& argv) {
  Args args("train", "test");
  add_training_options(args, command);
  EXPECT_TRUE(args.parse(argv));
  return training_options(args, command);
}

bool is_flag_of(const TrainOption& o, TrainingCommand command) {
  return o.commands == OptionCommands::train_and_experiment ||
         (o.commands == OptionCommands::train_only && command == TrainingCommand::train);
}

TEST(TrainingOptions, EveryFlagParses) {
  for (const TrainingCommand command : {TrainingCommand::train, TrainingCommand::experiment}) {
    for (const TrainOption& o : train_options()) {
      if (!is_flag_of(o, command)) continue;
      const std::string sample = test::option_samples().at(o.key);
      EXPECT_EQ(o.get(parsed(command, {std::string("--") + o.flag, sample})), sample) << o.flag;
      EXPECT_EQ(o.get(parsed(command, {std::string("--") + o.flag + "=" + sample})), sample) << o.flag;
    }
  }
}

TEST(TrainingOptions, ExperimentLeavesOutWhatItSetsPerRun) {
  Args args("experiment", "test");
  add_training_options(args, TrainingCommand::experiment);
  test::expect_error_containing([&] { args.parse({"--seed", "3"}); }, "unknown option --seed");
  test::expect_error_containing([&] { args.parse({"--ablation", "AUG1"}); }, "unknown option --ablation");
}

// inspect takes the image-reading options only, from the same rows.
TEST(TrainingOptions, ChosenKeysOnly) {
  Args args("inspect", "test");
  add_training_options(args, kImageReadingKeys);
  ASSERT_TRUE(args.parse({"--intensity", "none", "--dapi-channel", "blue", "--bf-page=1"}));
  const TrainConfig c = training_options(args, kImageReadingKeys);
  EXPECT_EQ(c.intensity, "none");
  EXPECT_EQ(c.dapi_channel, ChannelPick::blue);
  EXPECT_EQ(c.bf_page, 1);
  test::expect_error_containing([&] { args.parse({"--batch", "3"}); }, "unknown option --batch");
}

TEST(TrainingOptions, DefaultsAreTrainConfigsAndLrFollowsWeights) {
  EXPECT_EQ(parsed(TrainingCommand::train, {}).to_json(), TrainConfig{}.to_json());
  EXPECT_EQ(parsed(TrainingCommand::train, {}).lr, kScratchLr);
  EXPECT_EQ(parsed(TrainingCommand::train, {"--weights", "w.pth"}).lr, kFineTuneLr);
  EXPECT_EQ(parsed(TrainingCommand::experiment, {"--weights", "w/"}).lr, kFineTuneLr);
  EXPECT_EQ(parsed(TrainingCommand::train, {"--weights", "w.pth", "--lr", "0.01"}).lr, 0.01);
}

TEST(TrainingOptions, HelpShowsEachFlagOnceWithItsDefault) {
  Args args("train", "test");
  add_training_options(args, TrainingCommand::train);
  const std::string help = args.help();
  EXPECT_NE(help.find("--batch N"), std::string::npos);
  EXPECT_NE(help.find("(default 16)"), std::string::npos);
  EXPECT_NE(help.find("(default 1e-7 with --weights, 1e-3 from scratch)"), std::string::npos);
  EXPECT_NE(help.find("--intensity MODE"), std::string::npos);
  EXPECT_NE(help.find("(default percentile)"), std::string::npos);
  EXPECT_EQ(help.find("--lr RATE"), help.rfind("--lr RATE"));
}

TEST(TrainingOptions, BadValuesAreUsageErrorsNamingTheFlag) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"epochs", "0"},        {"batch", "0"},           {"batch", "4097"},       {"batch", "3x"},
      {"lr", "0"},            {"lr", "fast"},           {"weight-decay", "-1"},  {"input", "31"},
      {"patience", "-1"},     {"max-cells", "-1"},      {"bf-page", "-2"},       {"dapi-page", "x"},
      {"seed", "-1"},         {"split-seed", "-1"},     {"lr-schedule", "cosin"}, {"class-weights", "some"},
      {"device", "gpu"},      {"bf-channel", "purple"}, {"dapi-channel", "uv"},  {"intensity", "bright"},
      {"intensity", "range"}, {"model", "vgg"},         {"augment", "sometimes"}, {"ablation", "BF"},
      {"split", ""},
  };
  for (const auto& [flag, value] : bad) {
    try {
      parsed(TrainingCommand::train, {"--" + flag, value});
      ADD_FAILURE() << "--" << flag << " " << value << " was taken";
    } catch (const UsageError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("--" + flag + ": ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace ctcscope::cli
