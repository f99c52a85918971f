// Per-group CTC counts: the grouping, the calls at the threshold, the
// expected count and interval per group, the CSV and HTML written beside the
// predictions, and a column the manifest lacks refused before anything is written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "base/csv.h"
#include "base/file_util.h"
#include "tests/support/test_util.h"
#include "train/group_report.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

TEST(GroupReport, CountsEachGroupAtTheThresholdWithItsExpectedCount) {
  const std::vector<std::string> group = {"P2", "P1", "P2", "", "P2"};
  const std::vector<double> p = {0.9, 0.2, 0.4, 0.7, 0.5};
  const std::vector<GroupCount> g = group_counts(group, p, 0.5);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].group, "");
  EXPECT_EQ(g[1].group, "P1");
  EXPECT_EQ(g[2].group, "P2");
  EXPECT_EQ(g[2].cells, 3);
  EXPECT_EQ(g[2].called_ctc, 2);  // 0.9 and 0.5 (at the threshold counts)
  EXPECT_EQ(g[1].called_ctc, 0);
  const ExpectedCount want = expected_count({0.9, 0.4, 0.5});
  EXPECT_NEAR(g[2].expected.expected, 1.8, test::tol::kDouble.atol);
  EXPECT_EQ(g[2].expected.low, want.low);
  EXPECT_EQ(g[2].expected.high, want.high);
  // Cells without a value are a group of their own, named so on the page.
  EXPECT_NE(group_counts_html("patient", g, 0.5, "m").find("<td>(no patient)</td>"), std::string::npos);
}

TEST(GroupReport, WritesCsvAndHtmlBesideThePredictions) {
  const std::string dir = test::fresh_test_dir("group_report");
  fs::create_directories(dir + "/img");
  std::ofstream(dir + "/img/a.png") << "x";
  std::ofstream(dir + "/img/b.png") << "x";
  std::ofstream(dir + "/manifest.csv") << "cell_id,label,source,patient,bf,dapi,sample\n"
                                          "a,ctc,patient,P1,img/a.png,,\"S1 <left>, a\"\n"
                                          "b,leukocyte,patient,P1,img/b.png,,S2\n";
  const Manifest m = read_manifest(dir);
  const auto paths = write_group_report(dir + "/p.csv", "sample", m, {0.8, 0.1}, 0.5, "best.safetensors");
  ASSERT_EQ(paths, (std::vector<std::string>{dir + "/p_by_sample.csv", dir + "/p_by_sample.html"}));
  const auto rows = csv_parse(read_file_bytes(paths[0]), paths[0]);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].fields, (std::vector<std::string>{"sample", "cells", "called_ctc", "threshold", "expected_ctc",
                                                       "ctc_low_95", "ctc_high_95", "interval"}));
  EXPECT_EQ(rows[1].fields[0], "S1 <left>, a");
  EXPECT_EQ(rows[1].fields[1], "1");
  EXPECT_EQ(rows[1].fields[2], "1");
  EXPECT_EQ(std::stod(rows[1].fields[4]), 0.8);
  EXPECT_EQ(rows[1].fields[7], "exact Poisson-binomial");
  const std::string html = read_file_bytes(paths[1]);
  EXPECT_NE(html.find("S1 &lt;left&gt;, a"), std::string::npos);
  EXPECT_NE(html.find("best.safetensors"), std::string::npos);

  test::expect_error_containing([&] { write_group_report(dir + "/q.csv", "slide", m, {0.8, 0.1}, 0.5, "x"); },
                                dir + "/manifest.csv has no column 'slide'");
  EXPECT_FALSE(fs::exists(dir + "/q_by_slide.csv"));
}

}  // namespace
}  // namespace ctcscope
