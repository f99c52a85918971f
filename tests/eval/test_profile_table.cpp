// The profiler's report: the CSV parses, its rows come slowest first with
// rates worked from their figures, the rows add up to the total line, and the
// text table shows the same with the share of time per kind.
#include <gtest/gtest.h>

#include "base/csv.h"
#include "base/file_util.h"
#include "eval/profile_table.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

// Two steps of a made-up model: per step conv 3+5 ms, bn 1+1 ms, glue 0.5+0.5 ms.
ProfileResult two_steps() {
  ProfileResult r;
  r.rows.push_back({"bn1", "BatchNorm2d", "16x64x74x74", 2, 2.0, 2.0, 2e6, 8e6});
  r.rows.push_back({"conv1", "Conv2d", "16x3x148x148", 2, 6.0, 10.0, 4e9, 2e8});
  r.rows.push_back({kBetweenLayers, "glue", "", 2, 1.0, 1.0, 0, 0});
  r.total = {"net", "ResNet", "16x3x148x148", 2, 9.0, 13.0, 4.002e9, 2.08e8};
  return r;
}

double number(const std::string& field) { return std::stod(field); }

TEST(ProfileCsv, ParsesWithOneLinePerRowSlowestFirstAndTheTotalLast) {
  const std::vector<CsvRow> rows = csv_parse(profile_csv(two_steps(), MachinePeak{100.0, "stated"}), "profile.csv");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"layer", "kind", "input_shape", "calls", "forward_ms",
                                                       "backward_ms", "gflop", "gbytes", "gflop_per_s",
                                                       "percent_of_peak", "gbytes_per_s"}));
  EXPECT_EQ(rows[1].fields[0], "conv1");
  EXPECT_EQ(rows[2].fields[0], "bn1");
  EXPECT_EQ(rows[3].fields[0], kBetweenLayers);
  EXPECT_EQ(rows[4].fields[0], "net");
  EXPECT_EQ(rows[4].fields[1], "total");
  // conv1 per step: 3 + 5 ms, 2 GFLOP, 0.1 GB; over 16 ms, 4 GFLOP: 250 GFLOP/s, 250% of 100.
  const std::vector<std::string>& conv = rows[1].fields;
  EXPECT_DOUBLE_EQ(number(conv[4]), 3.0);
  EXPECT_DOUBLE_EQ(number(conv[5]), 5.0);
  EXPECT_DOUBLE_EQ(number(conv[6]), 2.0);
  EXPECT_DOUBLE_EQ(number(conv[7]), 0.1);
  EXPECT_DOUBLE_EQ(number(conv[8]), 250.0);
  EXPECT_DOUBLE_EQ(number(conv[9]), 250.0);
  EXPECT_DOUBLE_EQ(number(conv[10]), 12.5);
  EXPECT_EQ(rows[3].fields[8], "");  // the glue counts no FLOPs: no rate
}

TEST(ProfileCsv, RowsAddUpToTheTotalLine) {
  const std::vector<CsvRow> rows = csv_parse(profile_csv(two_steps(), MachinePeak{100.0, "stated"}), "profile.csv");
  double forward = 0, backward = 0, gflop = 0;
  for (std::size_t i = 1; i + 1 < rows.size(); ++i) {
    forward += number(rows[i].fields[4]);
    backward += number(rows[i].fields[5]);
    gflop += number(rows[i].fields[6]);
  }
  EXPECT_NEAR(forward, number(rows.back().fields[4]), 1e-9);
  EXPECT_NEAR(backward, number(rows.back().fields[5]), 1e-9);
  EXPECT_NEAR(gflop, number(rows.back().fields[6]), 1e-9);
}

TEST(ProfileCsv, AnUnknownPeakLeavesThePercentEmpty) {
  const std::vector<CsvRow> rows = csv_parse(profile_csv(two_steps(), MachinePeak{0.0, "unknown"}), "profile.csv");
  EXPECT_EQ(rows[1].fields[9], "");
  EXPECT_DOUBLE_EQ(number(rows[1].fields[8]), 250.0);
}

TEST(ProfileCsv, WrittenToAFileAsProfileCsvReturnsIt) {
  const std::string path = test::fresh_test_dir("profile_csv") + "/profile.csv";
  write_profile_csv(path, two_steps(), MachinePeak{100.0, "stated"});
  EXPECT_EQ(read_file_bytes(path), profile_csv(two_steps(), MachinePeak{100.0, "stated"}));
}

TEST(ProfileTable, ShowsThePeakTheRowsTheTotalAndTheShareOfEachKind) {
  const std::string table = profile_table(two_steps(), MachinePeak{100.0, "100.0 GFLOP/s (--peak-gflops)"});
  EXPECT_NE(table.find("over 2 steps"), std::string::npos) << table;
  EXPECT_NE(table.find("peak: 100.0 GFLOP/s (--peak-gflops)"), std::string::npos) << table;
  EXPECT_LT(table.find("conv1"), table.find("bn1")) << table;
  EXPECT_NE(table.find("total (net)"), std::string::npos) << table;
  // Of 22 ms: Conv2d 16, BatchNorm2d 4, glue 2.
  EXPECT_NE(table.find("time by kind:  Conv2d 72.7%  BatchNorm2d 18.2%  glue 9.1%"), std::string::npos) << table;
}

TEST(ProfileTable, CutToTheSlowestRowsSaysHowManyAreLeftOut) {
  const std::string table = profile_table(two_steps(), MachinePeak{100.0, "stated"}, 1);
  EXPECT_NE(table.find("conv1"), std::string::npos);
  EXPECT_EQ(table.find("bn1"), std::string::npos);
  EXPECT_NE(table.find("... 2 more rows"), std::string::npos) << table;
}

}  // namespace
}  // namespace ctcscope
