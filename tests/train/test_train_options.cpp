// The option table (train/train_options.h): every option set and read back,
// config.json in and out, the run's identity, old config.json files, and bad
// values refused naming the option.
#include <gtest/gtest.h>

#include <set>
#include <sstream>

#include "tests/support/test_util.h"
#include "tests/train/train_option_samples.h"
#include "train/train_options.h"

namespace ctcscope {
namespace {

using test::expect_error_containing;
using test::option_samples;

// TrainConfig{} with one option set to its sample.
TrainConfig with_sample(const TrainOption& o) {
  TrainConfig c;
  o.set(c, option_samples().at(o.key));
  return c;
}

TrainConfig with_every_sample() {
  TrainConfig c;
  for (const TrainOption& o : train_options()) o.set(c, option_samples().at(o.key));
  return c;
}

TEST(TrainOptions, EveryOptionHasASampleAndOneKeyAndFlag) {
  std::set<std::string> keys, flags;
  for (const TrainOption& o : train_options()) {
    EXPECT_TRUE(option_samples().count(o.key)) << "add a sample value for '" << o.key << "' to train_option_samples.h";
    EXPECT_TRUE(keys.insert(o.key).second) << o.key << " declared twice";
    if (*o.flag) {
      EXPECT_TRUE(flags.insert(o.flag).second) << "--" << o.flag << " declared twice";
      EXPECT_FALSE(o.help.empty()) << "--" << o.flag << " has no help";
    }
  }
  EXPECT_EQ(keys.size(), option_samples().size()) << "a sample for an option the table lacks";
}

TEST(TrainOptions, EachSampleIsSetAndReadBackDifferingFromTheDefault) {
  for (const TrainOption& o : train_options()) {
    if (!option_samples().count(o.key)) continue;
    const TrainConfig c = with_sample(o);
    EXPECT_EQ(o.get(c), option_samples().at(o.key)) << o.key;
    EXPECT_NE(o.get(TrainConfig{}), option_samples().at(o.key)) << o.key << ": the sample is the default";
    c.validate();
  }
}

TEST(TrainOptions, ConfigJsonRoundTripKeepsEveryOption) {
  const TrainConfig c = with_every_sample();
  const TrainConfig r = train_config_from_json(c.to_json(), "config.json");
  for (const TrainOption& o : train_options()) EXPECT_EQ(o.get(r), o.get(c)) << o.key;
  EXPECT_EQ(r.to_json(), c.to_json());
  EXPECT_EQ(r.identity_json(), c.identity_json());
}

TEST(TrainOptions, IdentityIsWhatChangesTheResult) {
  const std::string defaults = TrainConfig{}.identity_json();
  for (const TrainOption& o : train_options()) {
    EXPECT_EQ(with_sample(o).identity_json() != defaults, o.identity) << o.key;
  }
  // Where the run goes, how long it may go and how it is read: not its identity.
  for (const char* key : {"dataset_dir", "out_dir", "epochs", "patience", "loader_threads"}) {
    for (const TrainOption& o : train_options()) {
      if (o.key == std::string(key)) {
        EXPECT_FALSE(o.identity) << key;
      }
    }
  }
}

// A config.json from before the image options: its run read samples as
// decoded, gray, one page per file; its identity is what it was.
TEST(TrainOptions, OldConfigJsonReadsAsTheOldBehaviour) {
  TrainConfig c;
  c.intensity = "none";
  std::string old_json, line;
  std::istringstream lines(c.to_json());
  while (std::getline(lines, line)) {
    const bool image_option = line.find("\"intensity\"") != std::string::npos ||
                              line.find("_channel\"") != std::string::npos ||
                              line.find("_page\"") != std::string::npos;
    if (!image_option) old_json += line + "\n";
  }
  ASSERT_EQ(old_json.find("intensity"), std::string::npos);
  const TrainConfig r = train_config_from_json(old_json, "old/config.json");
  EXPECT_EQ(r.intensity, "none");
  EXPECT_EQ(r.bf_channel, ChannelPick::gray);
  EXPECT_EQ(r.dapi_channel, ChannelPick::gray);
  EXPECT_EQ(r.bf_page, -1);
  EXPECT_EQ(r.dapi_page, -1);
  EXPECT_EQ(r.identity_json().find("intensity"), std::string::npos);
  EXPECT_EQ(r.identity_json().find("_channel"), std::string::npos);
  EXPECT_EQ(r.identity_json().find("_page"), std::string::npos);
  // The default intensity is part of a new run's identity: an old run does not resume with it.
  EXPECT_NE(TrainConfig{}.identity_json().find("\"intensity\": \"percentile\""), std::string::npos);
}

TEST(TrainOptions, BadValuesAreRefusedNamingTheOption) {
  TrainConfig c;
  c.batch = 0;
  expect_error_containing([&] { c.validate(); }, "batch: must be in [1, 4096], got 0");
  c = TrainConfig{};
  c.intensity = "bright";
  expect_error_containing([&] { c.validate(); }, "intensity: ");
  c = TrainConfig{};
  c.bf_page = -2;
  expect_error_containing([&] { c.validate(); }, "bf_page: must be in [-1, ");

  const std::string json = TrainConfig{}.to_json();
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string s = json;
    s.replace(s.find(from), from.size(), to);
    return s;
  };
  expect_error_containing([&] { train_config_from_json(replaced("\"batch\": 16", "\"batch\": 0"), "r/config.json"); },
                          "r/config.json: 'batch': must be in [1, 4096]");
  expect_error_containing(
      [&] { train_config_from_json(replaced("\"lr_schedule\": \"constant\"", "\"lr_schedule\": \"cosin\""), "c.json"); },
      "c.json: 'lr_schedule': must be constant or cosine, got 'cosin'");
  expect_error_containing([&] { train_config_from_json(replaced("\"batch\": 16", "\"batch\": \"16\""), "c.json"); },
                          "'batch' must be an integer");
  expect_error_containing([&] { train_config_from_json(replaced("\"model\"", "\"modle\""), "c.json"); },
                          "c.json: missing 'model'");
}

}  // namespace
}  // namespace ctcscope
