// Checkpoints: save and load give the same model and metadata; a changed
// payload byte, a newer format version and a plain safetensors file are
// rejected with a message naming the file.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "models/checkpoint.h"
#include "models/resnet.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

std::string temp_path(const std::string& name) {
  auto dir = ::ctcscope::test::scratch_root() / "ctcscope_test_checkpoint";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

std::string error_of(const std::string& path) {
  try {
    load_checkpoint(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

CheckpointInfo info() {
  CheckpointInfo i;
  i.architecture = "resnet18";
  i.classes = {"leukocyte", "ctc"};
  i.input_size = 148;
  i.training_config = R"({"lr":"1e-07","epochs":"30","seed":"3"})";
  return i;
}

// A model whose BatchNorm buffers moved off their initial values.
std::unique_ptr<ResNet> trained_model() {
  auto m = std::make_unique<ResNet>(kResNet18, 2, 3);
  m->train();
  m->forward(random_normal({4, 3, 32, 32}, Seed{"ckpt.batch", 0}));
  m->eval();
  return m;
}

TEST(Checkpoint, RoundTripGivesTheSameLogitsAndMetadata) {
  auto model = trained_model();
  const std::string path = temp_path("round_trip.safetensors");
  save_checkpoint(path, *model, info());
  Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.info.architecture, "resnet18");
  EXPECT_EQ(loaded.info.classes, (std::vector<std::string>{"leukocyte", "ctc"}));
  EXPECT_EQ(loaded.info.input_size, 148);
  EXPECT_EQ(loaded.info.mean, info().mean);
  EXPECT_EQ(loaded.info.std, info().std);
  EXPECT_EQ(loaded.info.training_config, info().training_config);
  EXPECT_EQ(loaded.info.software_version, "ctcscope 0.1.0");
  EXPECT_EQ(loaded.info.format_version, 1);
  EXPECT_FALSE(loaded.model->training());
  Tensor x = random_normal({2, 3, 40, 40}, Seed{"ckpt.x", 0});
  Tensor want = model->forward(x), got = loaded.model->forward(x);
  EXPECT_EQ(got.to_double_vector(), want.to_double_vector());
  std::remove(path.c_str());
}

TEST(Checkpoint, MetadataHoldsThePayloadHash) {
  auto model = trained_model();
  const std::string path = temp_path("hash.safetensors");
  save_checkpoint(path, *model, info());
  SafetensorsContents c = read_safetensors(path);
  EXPECT_EQ(c.metadata.at("format_version"), "1");
  EXPECT_EQ(c.metadata.at("classes"), "leukocyte,ctc");
  EXPECT_EQ(c.metadata.at("payload_sha256"), checkpoint_payload_sha256(c.tensors));
  EXPECT_EQ(c.metadata.at("payload_sha256").size(), 64u);
  std::remove(path.c_str());
}

TEST(Checkpoint, OperatingPointsAndTemperatureRoundTrip) {
  auto model = trained_model();
  const std::string path = temp_path("operating.safetensors");
  CheckpointInfo i = info();
  i.operating_points = R"({"target_sensitivity":0.95,"sensitivity_threshold":0.25})";
  i.temperature = 1.0 / 3;
  save_checkpoint(path, *model, i);
  const Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.info.operating_points, i.operating_points);
  EXPECT_EQ(loaded.info.temperature, i.temperature);  // %.17g reads back exactly
  std::remove(path.c_str());
}

// A checkpoint written before calibration has neither key: no thresholds
// and T = 1 (its probabilities as they were).
TEST(Checkpoint, CheckpointWithoutOperatingPointsLoadsUncalibrated) {
  auto model = trained_model();
  const std::string path = temp_path("before_operating.safetensors");
  save_checkpoint(path, *model, info());
  SafetensorsContents c = read_safetensors(path);
  c.metadata.erase("temperature");
  c.metadata.erase("operating_points");
  write_safetensors(path, c.tensors, c.metadata);
  const Checkpoint loaded = load_checkpoint(path);
  EXPECT_EQ(loaded.info.operating_points, "");
  EXPECT_EQ(loaded.info.temperature, 1.0);
  std::remove(path.c_str());
}

TEST(Checkpoint, BadTemperatureIsRefusedNamingTheFile) {
  auto model = trained_model();
  const std::string path = temp_path("bad_temperature.safetensors");
  save_checkpoint(path, *model, info());
  SafetensorsContents c = read_safetensors(path);
  for (const char* bad : {"0", "-1", "nan", "1.5x"}) {
    c.metadata["temperature"] = bad;
    write_safetensors(path, c.tensors, c.metadata);
    const std::string err = error_of(path);
    EXPECT_NE(err.find(path + ": checkpoint metadata 'temperature' must be a positive number"), std::string::npos)
        << err;
  }
  std::remove(path.c_str());
}

TEST(Checkpoint, TamperedPayloadIsDetected) {
  auto model = trained_model();
  const std::string path = temp_path("tampered.safetensors");
  save_checkpoint(path, *model, info());
  {
    // Flip one bit of the last payload byte (a weight of fc.bias or a buffer).
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(-1, std::ios::end);
    char b = 0;
    f.read(&b, 1);
    b = static_cast<char>(b ^ 0x01);
    f.seekp(-1, std::ios::end);
    f.write(&b, 1);
  }
  std::string err = error_of(path);
  EXPECT_NE(err.find(path + ": tensor payload sha256"), std::string::npos) << err;
  EXPECT_NE(err.find("altered or damaged"), std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(Checkpoint, NewerFormatVersionIsRejected) {
  auto model = trained_model();
  const std::string path = temp_path("newer.safetensors");
  save_checkpoint(path, *model, info());
  SafetensorsContents c = read_safetensors(path);
  c.metadata["format_version"] = "2";
  write_safetensors(path, c.tensors, c.metadata);
  std::string err = error_of(path);
  EXPECT_NE(err.find("checkpoint format version 2 is newer than this build of ctcscope reads (up to 1)"),
            std::string::npos) << err;
  std::remove(path.c_str());
}

TEST(Checkpoint, PlainSafetensorsIsNotACheckpoint) {
  ResNet model(kResNet18, 2, 0);
  const std::string path = temp_path("plain.safetensors");
  StateDict sd;
  for (auto& [name, t] : model.state_dict()) sd.push_back({name, *t});
  write_safetensors(path, sd);
  EXPECT_NE(error_of(path).find("not a ctcscope checkpoint"), std::string::npos) << error_of(path);
  std::remove(path.c_str());
}

TEST(Checkpoint, ClassNamesMustNotHoldCommas) {
  ResNet model(kResNet18, 2, 0);
  CheckpointInfo i = info();
  i.classes = {"leukocyte", "ctc,spiked"};
  EXPECT_THROW(save_checkpoint(temp_path("bad.safetensors"), model, i), Error);
}

}  // namespace
}  // namespace ctcscope
