// Reports: the mean ± std table in Markdown and CSV, summaries, escaping, base64.
#include <gtest/gtest.h>

#include "eval/report.h"

namespace ctcscope {
namespace {

std::vector<ConfigScores> two_configs() {
  const Metrics perfect = compute_metrics({0, 1, 1, 0}, {0, 1, 1, 0});
  const Metrics half = compute_metrics({0, 1, 1, 0}, {0, 0, 1, 1});
  return {{"ResNet50 | BF w/ DAPI", {perfect, half}}, {"one, seed", {half}}};
}

TEST(Report, MarkdownTable) {
  const std::string md = markdown_table(two_configs());
  EXPECT_NE(md.find("| Configuration | Runs | Accuracy | Precision | Recall | F1 | Sensitivity | Specificity |"),
            std::string::npos)
      << md;
  // accuracy 1 and 0.5: mean 0.75, sample std 0.3536; '|' in the name escaped.
  EXPECT_NE(md.find("| ResNet50 \\| BF w/ DAPI | 2 | 0.750 \u00b1 0.354 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| one, seed | 1 | 0.500 \u00b1 nan |"), std::string::npos) << md;
}

TEST(Report, CsvTableHasMeanAndStdColumns) {
  const std::string csv = csv_table(two_configs());
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "configuration,runs,accuracy_mean,accuracy_std,precision_mean,precision_std,recall_mean,recall_std,"
            "f1_mean,f1_std,sensitivity_mean,sensitivity_std,specificity_mean,specificity_std");
  EXPECT_NE(csv.find("\nResNet50 | BF w/ DAPI,2,0.75,0.35355339059327379,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n\"one, seed\",1,0.5,nan,"), std::string::npos) << csv;
}

TEST(Report, MetricsSummaryAndComparison) {
  const std::string s = metrics_summary(compute_metrics({0, 0, 1, 1, 1}, {0, 1, 1, 1, 0}));
  EXPECT_NE(s.find("accuracy 0.6000"), std::string::npos) << s;
  EXPECT_NE(s.find("CTC"), std::string::npos) << s;
  const std::string t = comparison_text(compare_samples({0.777, 0.765, 0.789, 0.781, 0.773},
                                                        {0.798, 0.795, 0.801, 0.803, 0.793}));
  EXPECT_NE(t.find("Mann-Whitney U (exact)"), std::string::npos) << t;
  EXPECT_NE(t.find("statistically significant"), std::string::npos) << t;
}

TEST(Report, HtmlIsSelfContainedAndEscaped) {
  EXPECT_EQ(html_escape("a<b & \"c\" 'd'>"), "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
  EXPECT_EQ(base64_encode({}), "");
  EXPECT_EQ(base64_encode({'f'}), "Zg==");
  EXPECT_EQ(base64_encode({'f', 'o'}), "Zm8=");
  EXPECT_EQ(base64_encode({'f', 'o', 'o', 'b', 'a', 'r'}), "Zm9vYmFy");
  HtmlReport r("run <1>");
  r.heading("Scores & plots");
  r.metrics_table(two_configs());
  r.images({{"ROC", {1, 2, 3}}, {"loss", {4}}});
  const std::string html = r.html();
  EXPECT_NE(html.find("<title>run &lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("Scores &amp; plots"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/png;base64,AQID\""), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);  // nothing outside the file
}

}  // namespace
}  // namespace ctcscope
