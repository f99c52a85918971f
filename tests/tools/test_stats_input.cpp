// `ctcscope stats` input: number files, CSV columns, headers, clear errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_util.h"
#include "tools/stats_input.h"

namespace ctcscope::cli {
namespace {

std::string write_temp(const std::string& name, const std::string& text) {
  const auto dir = ::ctcscope::test::scratch_root() / "ctc_stats_input";
  std::filesystem::create_directories(dir);
  const std::string path = (dir / name).string();
  std::ofstream(path) << text;
  return path;
}

TEST(StatsInput, OneNumberPerLineAndCsvColumn) {
  EXPECT_EQ(read_number_column(write_temp("a.txt", "# F1 of 3 seeds\n0.8\n\n0.81\r\n7.5e-1\n")),
            (std::vector<double>{0.8, 0.81, 0.75}));
  const std::string csv = write_temp("b.csv", "seed,f1\n1,0.8\n2,\"0.9\"\n");
  EXPECT_EQ(read_number_column(csv, 2), (std::vector<double>{0.8, 0.9}));
}

TEST(StatsInput, ErrorsNameFileAndLine) {
  const std::string bad = write_temp("bad.txt", "0.8\n0.81\nabc\n");
  test::expect_error_containing([&] { read_number_column(bad); }, "bad.txt:3: 'abc'");
  const std::string narrow = write_temp("narrow.csv", "1,2\n3\n");
  test::expect_error_containing([&] { read_number_column(narrow, 2); }, "narrow.csv:2: column 2");
  test::expect_error_containing([] { read_number_column("/nonexistent/x.txt"); }, "x.txt: cannot open");
  test::expect_error_containing([] { parse_number_list("1,,2", "--a"); }, "--a: item 2");
  EXPECT_EQ(parse_number_list(" 1, 2.5", "--a"), (std::vector<double>{1, 2.5}));
}

}  // namespace
}  // namespace ctcscope::cli
