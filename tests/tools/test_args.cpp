// The command-line parser: values, flags, defaults, and clear errors.
#include <gtest/gtest.h>

#include "base/error.h"
#include "tools/args.h"

namespace ctcscope::cli {
namespace {

Args make() {
  Args a("demo", "A test command.");
  a.option("steps", "N", "30", "steps");
  a.option("lr", "RATE", "0.001", "rate");
  a.flag("quiet", "say less");
  return a;
}

std::string error_of(const std::vector<std::string>& argv, const char* get = nullptr) {
  Args a = make();
  try {
    a.parse(argv);
    if (get) a.get_int(get, 1, 100);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Args, ValuesFlagsAndDefaults) {
  Args a = make();
  ASSERT_TRUE(a.parse({"--steps", "12", "--quiet", "--lr=0.5"}));
  EXPECT_EQ(a.get_int("steps", 1, 100), 12);
  EXPECT_DOUBLE_EQ(a.get_double("lr", 0, 1), 0.5);
  EXPECT_TRUE(a.has("quiet"));
  Args b = make();
  ASSERT_TRUE(b.parse({}));
  EXPECT_EQ(b.get_int("steps", 1, 100), 30);
  EXPECT_FALSE(b.has("quiet"));
}

TEST(Args, BadInputNamesTheProblem) {
  EXPECT_NE(error_of({"--stpes", "3"}).find("unknown option --stpes"), std::string::npos);
  EXPECT_NE(error_of({"--steps"}).find("needs a value"), std::string::npos);
  EXPECT_NE(error_of({"stray"}).find("unexpected argument 'stray'"), std::string::npos);
  EXPECT_NE(error_of({"--steps", "3x"}, "steps").find("must be an integer"), std::string::npos);
  EXPECT_NE(error_of({"--steps", "0"}, "steps").find("must be in [1, 100]"), std::string::npos);
}

TEST(Args, HelpListsOptionsAndExamples) {
  Args a = make();
  a.example("ctcscope demo --steps 5");
  std::string h = a.help();
  EXPECT_NE(h.find("--steps N"), std::string::npos);
  EXPECT_NE(h.find("(default 30)"), std::string::npos);
  EXPECT_NE(h.find("ctcscope demo --steps 5"), std::string::npos);
}

// --resume=false resumed: a flag given any value was on.
TEST(Args, FlagValuesSetItOnOrOff) {
  for (const auto& [arg, on] : std::vector<std::pair<std::string, bool>>{
           {"--quiet", true}, {"--quiet=true", true}, {"--quiet=1", true}, {"--quiet=false", false},
           {"--quiet=0", false}}) {
    Args a = make();
    ASSERT_TRUE(a.parse({arg}));
    EXPECT_EQ(a.has("quiet"), on) << arg;
  }
  Args a = make();
  ASSERT_TRUE(a.parse({"--quiet", "--quiet=false"}));
  EXPECT_FALSE(a.has("quiet")) << "the last one given counts";
  EXPECT_NE(error_of({"--quiet=maybe"}).find("--quiet takes true, false, 1 or 0, got 'maybe'"), std::string::npos);
  EXPECT_THROW(make().parse({"--quiet=yes"}), UsageError);
}

Args with_positionals() {
  Args a = make();
  a.positional("DATASET_DIR", "a dataset");
  a.positional("EXTRA", "optional", false);
  return a;
}

TEST(Args, PositionalsAnywhereAmongTheOptions) {
  Args a = with_positionals();
  ASSERT_TRUE(a.parse({"--steps", "4", "data/x", "--quiet"}));
  EXPECT_EQ(a.get_positional("DATASET_DIR"), "data/x");
  EXPECT_EQ(a.get_positional("EXTRA"), "");
  EXPECT_EQ(a.get_int("steps", 1, 100), 4) << "a value is not taken for a positional";
  Args b = with_positionals();
  ASSERT_TRUE(b.parse({"data/x", "more", "--steps=5"}));
  EXPECT_EQ(b.get_positional("DATASET_DIR"), "data/x");
  EXPECT_EQ(b.get_positional("EXTRA"), "more");
  EXPECT_NE(b.help().find("usage: ctcscope demo DATASET_DIR [EXTRA] [options]"), std::string::npos) << b.help();
}

TEST(Args, MissingOrExtraPositionalsAreUsageErrors) {
  auto error = [](const std::vector<std::string>& argv) {
    try {
      with_positionals().parse(argv);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error({"--quiet"}).find("missing DATASET_DIR (ctcscope demo DATASET_DIR [EXTRA] [options])"),
            std::string::npos);
  EXPECT_NE(error({"a", "b", "c"}).find("unexpected argument 'c'"), std::string::npos);
  EXPECT_NE(error({"-x"}).find("unexpected argument '-x'"), std::string::npos);
}

}  // namespace
}  // namespace ctcscope::cli
