// ctcscope stats: the paper's statistics between two samples of scores.
#include <cstdio>

#include "eval/report.h"
#include "eval/statistics.h"
#include "tools/commands.h"
#include "tools/stats_input.h"

namespace ctcscope::cli {

int run_stats(const Argv& argv) {
  Args args("stats",
            "Compares two samples of scores (e.g. the F1 of five seeds of two configurations) as the\n"
            "paper's section 4.3: n, mean ± std, Shapiro-Wilk per sample, Levene (center median and\n"
            "mean), Mann-Whitney U (two-sided; exact for a sample of 8 or fewer without ties),\n"
            "Student's and Welch's t, and a one-line reading: normal samples -> Student's t (Welch's\n"
            "when Levene rejects equal variances), otherwise Mann-Whitney U.\n"
            "Samples come from two files (one number per line, or CSV with --column; '#' lines and\n"
            "a header row are skipped) or from --a and --b lists.");
  args.option("a", "LIST", "", "first sample as comma-separated numbers (instead of a file)");
  args.option("b", "LIST", "", "second sample as comma-separated numbers");
  args.option("column", "N", "1", "1-based CSV column to read from the files");
  args.option("alpha", "P", "0.05", "significance level of the reading");
  args.example("ctcscope stats f1_bf.txt f1_bf_dapi.txt");
  args.example("ctcscope stats runs_a.csv runs_b.csv --column 4");
  args.example("ctcscope stats --a 0.777,0.765,0.789,0.781,0.773 --b 0.798,0.795,0.801,0.803,0.793");
  args.positional("FILE_A", "the first sample's file (or --a)", false);
  args.positional("FILE_B", "the second sample's file (or --b)", false);
  if (!args.parse(argv)) return 0;
  std::vector<std::string> files;
  for (const char* name : {"FILE_A", "FILE_B"}) {
    if (!args.get_positional(name).empty()) files.push_back(args.get_positional(name));
  }
  const bool lists = !args.get("a").empty() || !args.get("b").empty();
  usage_check(!(lists && !files.empty()), "give two files or --a and --b, not both");
  std::vector<double> a, b;
  std::string name_a, name_b;
  if (lists) {
    usage_check(!args.get("a").empty() && !args.get("b").empty(), "--a and --b go together");
    a = parse_number_list(args.get("a"), "--a");
    b = parse_number_list(args.get("b"), "--b");
    name_a = "A (--a)";
    name_b = "B (--b)";
  } else {
    usage_check(files.size() == 2, "two sample files expected, got ", files.size(), " (see ctcscope stats --help)");
    const auto column = static_cast<int>(args.get_int("column", 1, 100000));
    a = read_number_column(files[0], column);
    b = read_number_column(files[1], column);
    name_a = "A (" + files[0] + ")";
    name_b = "B (" + files[1] + ")";
  }
  usage_check(a.size() >= 2 && b.size() >= 2, "each sample needs at least 2 numbers (got ", a.size(), " and ",
              b.size(), ")");
  const SampleComparison c = compare_samples(a, b, args.get_double("alpha", 1e-12, 0.5));
  std::fputs(comparison_text(c, name_a, name_b).c_str(), stdout);
  return 0;
}

}  // namespace ctcscope::cli
