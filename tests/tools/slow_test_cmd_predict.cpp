// ctcscope predict with an ensemble and --group-by, and ctcscope export, as
// commands on the tiny generated dataset: the ensemble's column is the mean
// of the members' (to the CSV's 6 decimals), the group file adds up to the
// predictions, and the export holds the checkpoint's tensors.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <set>

#include "base/csv.h"
#include "base/file_util.h"
#include "formats/state_dict.h"
#include "models/checkpoint.h"
#include "models/registry.h"
#include "tests/support/test_util.h"
#include "tests/train/train_fixture.h"
#include "tools/commands.h"
#include "train/run_folder.h"

namespace ctcscope::cli {
namespace {

std::string random_checkpoint(const std::string& dir, std::uint64_t seed) {
  const std::string path = dir + "/seed" + std::to_string(seed) + ".safetensors";
  auto model = make_model("resnet18", 2, seed);
  CheckpointInfo info;
  info.architecture = "resnet18";
  info.classes = {"leukocyte", "ctc"};
  info.input_size = 32;
  save_checkpoint(path, *model, info);
  return path;
}

std::vector<CsvRow> rows_of(const std::string& path) { return csv_parse(read_file_bytes(path), path); }

TEST(CmdPredict, EnsembleGroupByAndExport) {
  const std::string data = test::tiny_dataset(), dir = test::fresh_test_dir("cmd_predict");
  const std::string a = random_checkpoint(dir, 1), b = random_checkpoint(dir, 2);
  ASSERT_EQ(run_predict({a, "--manifest", data, "--out", dir + "/a.csv", "--threads", "2"}), 0);
  ASSERT_EQ(run_predict({b, "--manifest", data, "--out", dir + "/b.csv", "--threads", "2"}), 0);
  ASSERT_EQ(run_predict({a + "," + b, "--manifest", data, "--out", dir + "/ab.csv", "--group-by", "patient",
                         "--threads", "2"}),
            0);
  const auto ra = rows_of(dir + "/a.csv"), rb = rows_of(dir + "/b.csv"), rab = rows_of(dir + "/ab.csv");
  ASSERT_EQ(rab.size(), ra.size());
  std::int64_t called = 0;
  for (std::size_t i = 1; i < rab.size(); ++i) {
    // Each column is printed to 6 decimals: up to 5e-7 off each, 1e-6 for the mean.
    EXPECT_NEAR(std::stod(rab[i].fields[1]), (std::stod(ra[i].fields[1]) + std::stod(rb[i].fields[1])) / 2, 1e-6)
        << rab[i].fields[0];
    called += rab[i].fields[2] == "ctc";
  }

  const Manifest m = read_manifest(data);
  const std::set<std::string> patients = [&] {
    std::set<std::string> s;
    for (const auto& c : m.cells) s.insert(c.patient);
    return s;
  }();
  const auto groups = rows_of(dir + "/ab_by_patient.csv");
  ASSERT_EQ(groups.size(), patients.size() + 1);
  std::int64_t cells = 0, group_called = 0;
  for (std::size_t g = 1; g < groups.size(); ++g) {
    EXPECT_TRUE(patients.count(groups[g].fields[0])) << groups[g].fields[0];
    cells += std::stoll(groups[g].fields[1]);
    group_called += std::stoll(groups[g].fields[2]);
  }
  EXPECT_EQ(cells, static_cast<std::int64_t>(m.cells.size()));
  EXPECT_EQ(group_called, called);
  EXPECT_TRUE(file_exists(dir + "/ab_by_patient.html"));

  ASSERT_EQ(run_export({a, "--format", "torchvision", dir + "/a_torchvision.pth"}), 0);
  EXPECT_TRUE(file_exists(dir + "/a_torchvision.json"));
  const StateDict exported = read_pth(dir + "/a_torchvision.pth");
  const VerifiedCheckpointFile original = read_checkpoint_file(a);
  ASSERT_EQ(exported.size(), original.tensors.size());
  for (std::size_t k = 0; k < exported.size(); ++k) {
    EXPECT_EQ(exported[k].name, original.tensors[k].name);
    EXPECT_EQ(exported[k].tensor.to_double_vector(), original.tensors[k].tensor.to_double_vector())
        << exported[k].name;
  }
  test::expect_error_containing([&] { run_export({a, "--format", "onnx", dir + "/a.onnx"}); }, "--format 'onnx'");
}

}  // namespace
}  // namespace ctcscope::cli
