// --weights resolved to a file per model: a folder of
// torchvision's published names, MODEL=FILE pairs, one file for one model,
// and every way of getting it wrong refused with the folder or file named.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "models/registry.h"
#include "base/error.h"
#include "tests/support/test_util.h"
#include "train/experiment.h"
#include "train/weights_files.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kTable2 = {"densenet121", "efficientnet_b4", "resnet50", "resnet34"};

fs::path fresh_dir() { return test::fresh_test_dir("ctcscope_test_weights_files"); }

std::string touch(const fs::path& p) {
  std::ofstream(p) << "x";
  return p.string();
}

std::string error_of(const std::string& spec, const std::vector<std::string>& models) {
  try {
    weights_files(spec, models);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(WeightsFiles, NoneMeansEveryModelFromScratch) { EXPECT_TRUE(weights_files("", kTable2).empty()); }

TEST(WeightsFiles, FolderGivesEachModelItsPublishedFile) {
  const fs::path d = fresh_dir();
  for (const auto& m : kTable2) touch(d / published_weights_name(m));
  touch(d / "resnet18-f37072fd.pth");             // another model's file
  touch(d / "tf_efficientnet_b4_ns.safetensors");  // not efficientnet_b4's
  touch(d / "resnet50.txt");                       // not a weights file
  fs::create_directories(d / "resnet50-old.pth");  // a folder, not a file
  const auto files = weights_files(d.string(), kTable2);
  ASSERT_EQ(files.size(), 4u);
  EXPECT_EQ(files.at("resnet50"), (d / "resnet50-0676ba61.pth").string());
  EXPECT_EQ(files.at("resnet34"), (d / "resnet34-b627a593.pth").string());
  EXPECT_EQ(files.at("densenet121"), (d / "densenet121-a639ec97.pth").string());
  EXPECT_EQ(files.at("efficientnet_b4"), (d / "efficientnet_b4_rwightman-23ab8bcd.pth").string());
}

TEST(WeightsFiles, FolderWithoutAModelsFileNamesFolderModelAndExpectedName) {
  const fs::path d = fresh_dir();
  touch(d / "resnet50-0676ba61.pth");
  const std::string msg = error_of(d.string(), {"resnet50", "densenet121"});
  EXPECT_NE(msg.find(d.string()), std::string::npos) << msg;
  EXPECT_NE(msg.find("no weights file for densenet121"), std::string::npos) << msg;
  EXPECT_NE(msg.find("densenet121-a639ec97.pth"), std::string::npos) << msg;
}

TEST(WeightsFiles, FolderWithTwoCandidatesListsBoth) {
  const fs::path d = fresh_dir();
  touch(d / "resnet50-0676ba61.pth");
  touch(d / "resnet50-19c8e357.pth");
  const std::string msg = error_of(d.string(), {"resnet50"});
  EXPECT_NE(msg.find("2 weights files for resnet50"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resnet50-0676ba61.pth"), std::string::npos) << msg;
  EXPECT_NE(msg.find("resnet50-19c8e357.pth"), std::string::npos) << msg;
}

TEST(WeightsFiles, FolderProblemsAreReportedAllAtOnce) {
  const fs::path d = fresh_dir();
  touch(d / "resnet50-0676ba61.pth");
  touch(d / "resnet50-19c8e357.pth");
  const std::string msg = error_of(d.string(), kTable2);
  EXPECT_NE(msg.find("no weights file for densenet121"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no weights file for efficientnet_b4"), std::string::npos) << msg;
  EXPECT_NE(msg.find("2 weights files for resnet50"), std::string::npos) << msg;
  EXPECT_NE(msg.find("no weights file for resnet34"), std::string::npos) << msg;
}

TEST(WeightsFiles, PairsNameAFilePerModel) {
  const fs::path d = fresh_dir();
  const std::string a = touch(d / "model.safetensors");
  const std::string b = touch(d / "r34.pth");
  const auto files = weights_files("efficientnet_b4=" + a + ",resnet34=" + b, {"efficientnet_b4", "resnet34"});
  EXPECT_EQ(files.at("efficientnet_b4"), a);
  EXPECT_EQ(files.at("resnet34"), b);
}

TEST(WeightsFiles, PairsMustCoverEveryModelAndOnlyTheGridsModels) {
  const fs::path d = fresh_dir();
  const std::string a = touch(d / "a.pth");
  EXPECT_NE(error_of("resnet50=" + a, {"resnet50", "resnet34"}).find("no file for resnet34"), std::string::npos);
  EXPECT_NE(error_of("resnet18=" + a, {"resnet50"}).find("'resnet18' is not among the models to train"),
            std::string::npos);
  EXPECT_NE(error_of("resnet50=" + a + ",resnet50=" + a, {"resnet50"}).find("resnet50 is named twice"),
            std::string::npos);
  EXPECT_NE(error_of("resnet50=", {"resnet50"}).find("is not MODEL=FILE"), std::string::npos);
}

TEST(WeightsFiles, OneFileServesOneModelOnly) {
  const fs::path d = fresh_dir();
  const std::string a = touch(d / "resnet50-0676ba61.pth");
  EXPECT_EQ(weights_files(a, {"resnet50"}).at("resnet50"), a);
  const std::string msg = error_of(a, {"resnet50", "resnet34"});
  EXPECT_NE(msg.find("one file for 2 models"), std::string::npos) << msg;
}

TEST(WeightsFiles, MissingFileIsNamed) {
  const fs::path d = fresh_dir();
  const std::string missing = (d / "nope.pth").string();
  EXPECT_NE(error_of(missing, {"resnet50"}).find(missing + ": weights file or folder not found"), std::string::npos);
  // A mistyped folder is reported missing, not as one file for several models.
  EXPECT_NE(error_of(missing, kTable2).find(missing + ": weights file or folder not found"), std::string::npos);
  EXPECT_NE(error_of("resnet50=" + missing, {"resnet50"}).find(missing), std::string::npos);
}

TEST(WeightsFiles, EveryRegisteredModelHasAPublishedName) {
  for (const auto& m : model_names()) EXPECT_FALSE(published_weights_name(m).empty()) << m;
}

TEST(WeightsFiles, PlanGivesEachRunItsModelsFileAndRefusesBeforeAnyRun) {
  const fs::path d = fresh_dir();
  for (const auto& m : kTable2) touch(d / published_weights_name(m));
  ExperimentOptions o;
  o.grid = ExperimentGrid::architectures;
  o.seeds = 2;
  o.out_dir = (d / "exp").string();
  o.base.weights = d.string();
  for (const auto& r : plan_experiment(o).runs) {
    EXPECT_EQ(r.config.weights, (d / published_weights_name(r.config.model)).string())
        << r.config.model << " seed " << r.config.seed;
  }
  fs::remove(d / published_weights_name("resnet34"));
  EXPECT_THROW(plan_experiment(o), Error);
  EXPECT_FALSE(fs::exists(o.out_dir));
}

}  // namespace
}  // namespace ctcscope
