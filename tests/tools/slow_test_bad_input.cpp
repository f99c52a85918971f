// The README's bad-input table, end to end through the ctcscope binary: for
// each kind of bad input, the exit status, the message (it names the file and
// what is wrong) and that nothing is lost or half-written (no output file,
// no checkpoint). One test per row of the table, named as the row.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "base/file_util.h"
#include "data/png.h"
#include "data/synth.h"
#include "data/tiff.h"
#include "models/checkpoint.h"
#include "models/registry.h"
#include "formats/state_dict.h"
#include "tests/support/process.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

namespace fs = std::filesystem;

fs::path root() {
  static const fs::path r = [] {
    const fs::path d = ::ctcscope::test::scratch_root() / "ctc_test_bad_input";
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
  }();
  return r;
}

// A small generated dataset, copied fresh for each test that damages it.
std::string dataset(const std::string& name) {
  static const fs::path base = [] {
    SynthOptions o;
    o.spike_in = 12;
    o.patient_ctc = 4;
    o.patients = 2;
    o.leukocytes = 16;
    o.seed = 5;
    synth_dataset((root() / "base").string(), o);
    return root() / "base";
  }();
  const fs::path d = root() / name;
  fs::remove_all(d);
  fs::copy(base, d, fs::copy_options::recursive);
  return d.string();
}

// A resnet18 checkpoint (random weights) for predict and eval.
std::string checkpoint() {
  static const std::string path = [] {
    const std::string p = (root() / "model.safetensors").string();
    auto model = make_model("resnet18", 2, 1);
    CheckpointInfo info;
    info.architecture = "resnet18";
    info.classes = {"leukocyte", "ctc"};
    info.input_size = 32;
    save_checkpoint(p, *model, info);
    return p;
  }();
  return path;
}

test::ProcessResult ctcscope(std::vector<std::string> args) {
  args.insert(args.begin(), CTCSCOPE_BINARY);
  return test::run_process(args, (root() / "last_command.log").string());
}

// Runs `train` on `data` into a fresh run folder and expects a refusal before
// any checkpoint, with every needle in the output.
void expect_train_refused(const std::string& data, const std::vector<std::string>& needles,
                          const std::vector<std::string>& extra = {}) {
  const std::string out = (root() / (fs::path(data).filename().string() + "_run")).string();
  std::vector<std::string> args = {"train", data, "--out", out, "--model", "resnet18", "--epochs", "1",
                                   "--input", "32", "--batch", "8"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = ctcscope(args);
  EXPECT_EQ(r.code, 1) << r.output;
  for (const auto& n : needles) EXPECT_NE(r.output.find(n), std::string::npos) << "'" << n << "' not in:\n" << r.output;
  EXPECT_FALSE(fs::exists(out + "/best.safetensors"));
  EXPECT_FALSE(fs::exists(out + "/last.safetensors"));
}

// The BF image of the manifest's first cell (line 2).
std::string first_bf(const std::string& data) {
  const std::string text = read_file_bytes(data + "/manifest.csv");
  const auto line = text.substr(text.find('\n') + 1, text.find('\n', text.find('\n') + 1) - text.find('\n') - 1);
  std::vector<std::string> fields;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == ',') {
      fields.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return fields.at(4);
}

TEST(BadInput, CorruptImageAtTrainingIsRefusedBeforeTraining) {
  const std::string data = dataset("corrupt_train");
  const std::string bf = first_bf(data);
  std::string bytes = read_file_bytes(data + "/" + bf);
  bytes.resize(bytes.size() / 2);
  std::ofstream(data + "/" + bf, std::ios::binary | std::ios::trunc) << bytes;
  expect_train_refused(data, {bf, "truncated", "1 image of", "nothing was trained"});
}

TEST(BadInput, CorruptImageAtPredictionIsRefusedAndNoCsvIsWritten) {
  const std::string data = dataset("corrupt_predict");
  const std::string bf = first_bf(data);
  std::ofstream(data + "/" + bf, std::ios::binary | std::ios::trunc) << "not a png";
  const std::string out = (root() / "corrupt_predictions.csv").string();
  const auto r = ctcscope({"predict", checkpoint(), "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(bf + ": not a PNG file"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(BadInput, SixteenBitImagesAreReadScaledTo0To1) {
  // Another bit depth is not an error: 16-bit (and 1-, 2-, 4-bit, palette,
  // RGB) PNGs are read, samples scaled to [0, 1], colour made gray.
  const std::string data = dataset("sixteen_bit");
  const std::string bf = first_bf(data);
  const Image im = read_png(data + "/" + bf);
  write_png(data + "/" + bf, im, 16);
  const std::string out = (root() / "sixteen_predictions.csv").string();
  const auto r = ctcscope({"predict", checkpoint(), "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(out));
}

// Replaces the first cell's BF image by a TIFF of its samples (16-bit, LZW,
// tiled) holding `pages` copies, and points the manifest at it.
std::string first_bf_as_tiff(const std::string& data, int pages) {
  const std::string bf = first_bf(data);
  const std::string tif = bf.substr(0, bf.rfind('.')) + ".tif";
  TiffWriteOptions o;
  o.bit_depth = 16;
  o.compression = TiffCompression::lzw;
  o.tiles = true;
  write_tiff(data + "/" + tif, std::vector<Image>(static_cast<std::size_t>(pages), read_png(data + "/" + bf)), o);
  std::string manifest = read_file_bytes(data + "/manifest.csv");
  manifest.replace(manifest.find(bf), bf.size(), tif);
  write_file_atomic(data + "/manifest.csv", manifest);
  return tif;
}

TEST(BadInput, TiffImagesAreReadLikePng) {
  const std::string data = dataset("tiff");
  first_bf_as_tiff(data, 1);
  const std::string out = (root() / "tiff_predictions.csv").string();
  const auto r = ctcscope({"predict", checkpoint(), "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(out));
}

TEST(BadInput, MultiPageTiffIsRefusedNamingThePageCount) {
  const std::string data = dataset("multi_page_tiff");
  const std::string tif = first_bf_as_tiff(data, 3);
  expect_train_refused(data, {tif + ": a multi-page TIFF (3 pages)", "1 image of", "nothing was trained"});
}

TEST(BadInput, CorruptTiffIsRefusedNamingTheFile) {
  const std::string data = dataset("corrupt_tiff");
  const std::string tif = first_bf_as_tiff(data, 1);
  std::string bytes = read_file_bytes(data + "/" + tif);
  bytes.resize(bytes.size() / 2);
  std::ofstream(data + "/" + tif, std::ios::binary | std::ios::trunc) << bytes;
  expect_train_refused(data, {tif + ": truncated", "1 image of", "nothing was trained"});
}

TEST(BadInput, EmptyImageFileIsRefused) {
  const std::string data = dataset("empty_image");
  const std::string bf = first_bf(data);
  std::ofstream(data + "/" + bf, std::ios::binary | std::ios::trunc).close();
  expect_train_refused(data, {bf + ": empty file"});
}

TEST(BadInput, MissingDapiPartnerNamedInTheManifestIsRefused) {
  const std::string data = dataset("missing_dapi");
  const std::string text = read_file_bytes(data + "/manifest.csv");
  const auto dapi_end = text.find(".png\n", text.find('\n') + 1);
  const auto dapi_start = text.rfind(',', dapi_end) + 1;
  const std::string dapi = text.substr(dapi_start, dapi_end + 4 - dapi_start);
  fs::remove(data + "/" + dapi);
  expect_train_refused(data, {"manifest.csv:2: dapi image '" + dapi + "' not found"});
}

TEST(BadInput, DuplicateCellIdIsRefused) {
  const std::string data = dataset("duplicate_id");
  std::string text = read_file_bytes(data + "/manifest.csv");
  const auto l2 = text.find('\n') + 1;
  const std::string line2 = text.substr(l2, text.find('\n', l2) + 1 - l2);
  std::ofstream(data + "/manifest.csv", std::ios::binary | std::ios::app) << line2;
  expect_train_refused(data, {"manifest.csv:", "duplicate cell id", "(first on line 2)"});
}

TEST(BadInput, LabelNotInTheClassListIsRefused) {
  const std::string data = dataset("unknown_label");
  std::string text = read_file_bytes(data + "/manifest.csv");
  const auto l2 = text.find('\n') + 1;
  const auto comma = text.find(',', l2);
  const auto comma2 = text.find(',', comma + 1);
  text.replace(comma + 1, comma2 - comma - 1, "tumour");
  std::ofstream(data + "/manifest.csv", std::ios::binary | std::ios::trunc) << text;
  expect_train_refused(data, {"manifest.csv:2: unknown label 'tumour' (expected ctc or leukocyte)"});
}

TEST(BadInput, NaNInAWeightsFileIsRefusedNamingTheTensor) {
  const std::string data = dataset("nan_weights");
  auto model = make_model("resnet18", 1000, 2);
  StateDict sd;
  for (auto& [name, t] : model->state_dict()) sd.push_back({name, t->clone()});
  for (auto& e : sd) {
    if (e.name == "layer2.0.conv1.weight") e.tensor.data<float>()[5] = std::nanf("");
  }
  const std::string weights = (root() / "nan.safetensors").string();
  write_safetensors(weights, sd);
  expect_train_refused(data, {weights, "'layer2.0.conv1.weight' holds NaN at flat index 5"}, {"--weights", weights});
}

TEST(BadInput, WeightsOfAnotherArchitectureAreRefusedNamingTheTensor) {
  const std::string data = dataset("wrong_arch");
  auto model = make_model("resnet50", 1000, 2);
  StateDict sd;
  for (auto& [name, t] : model->state_dict()) sd.push_back({name, t->clone()});
  const std::string weights = (root() / "resnet50.safetensors").string();
  write_safetensors(weights, sd);
  expect_train_refused(data, {weights, "'layer1.0.conv1.weight' has shape [64,64,1,1], model expects [64,64,3,3]"},
                       {"--weights", weights});
}

TEST(BadInput, CheckpointOfANewerFormatIsRefusedAskingForAnUpdate) {
  const std::string data = dataset("newer_checkpoint");
  SafetensorsContents c = read_safetensors(checkpoint());
  c.metadata["format_version"] = "2";
  const std::string newer = (root() / "newer.safetensors").string();
  write_safetensors(newer, c.tensors, c.metadata);
  const std::string out = (root() / "newer_predictions.csv").string();
  const auto r = ctcscope({"predict", newer, "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(newer + ": checkpoint format version 2 is newer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("update ctcscope"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(BadInput, CheckpointWithOtherClassesIsRefused) {
  // Logit 1 is the CTC score only for classes [leukocyte, ctc]; reversed, the
  // probabilities would be silently wrong.
  const std::string data = dataset("reversed_classes");
  const std::string path = (root() / "reversed.safetensors").string();
  auto model = make_model("resnet18", 2, 1);
  CheckpointInfo info;
  info.architecture = "resnet18";
  info.classes = {"ctc", "leukocyte"};
  info.input_size = 32;
  save_checkpoint(path, *model, info);
  const std::string out = (root() / "reversed_predictions.csv").string();
  const auto r = ctcscope({"predict", path, "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(path + ": checkpoint classes are [ctc, leukocyte]; ctcscope needs [leukocyte, ctc]"),
            std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

// An ensemble is one configuration's seeds: a member of another architecture
// (or classes, input size, main channel) would average unlike things.
TEST(BadInput, EnsembleOfDifferentArchitecturesIsRefusedNamingBothFiles) {
  const std::string data = dataset("ensemble_mixed");
  const std::string other = (root() / "resnet34.safetensors").string();
  auto model = make_model("resnet34", 2, 1);
  CheckpointInfo info;
  info.architecture = "resnet34";
  info.classes = {"leukocyte", "ctc"};
  info.input_size = 32;
  save_checkpoint(other, *model, info);
  const std::string out = (root() / "mixed_predictions.csv").string();
  const auto r = ctcscope({"predict", checkpoint() + "," + other, "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("ensemble members differ in architecture: " + checkpoint() + " has resnet18, " + other +
                          " has resnet34"),
            std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
  const auto e = ctcscope({"eval", checkpoint() + "," + other, data, "--all"});
  EXPECT_EQ(e.code, 1) << e.output;
  EXPECT_NE(e.output.find(other + " has resnet34"), std::string::npos) << e.output;
}

TEST(BadInput, GroupByAColumnTheManifestLacksIsRefused) {
  const std::string data = dataset("group_by_missing");
  const std::string out = (root() / "group_predictions.csv").string();
  const auto r = ctcscope({"predict", checkpoint(), "--manifest", data, "--out", out, "--group-by", "sample"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(data + "/manifest.csv has no column 'sample'"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

TEST(BadInput, DamagedCheckpointIsRefusedByItsChecksum) {
  const std::string data = dataset("damaged_checkpoint");
  std::string bytes = read_file_bytes(checkpoint());
  bytes[bytes.size() - 1000] ^= 0x10;
  const std::string damaged = (root() / "damaged.safetensors").string();
  std::ofstream(damaged, std::ios::binary) << bytes;
  const std::string out = (root() / "damaged_predictions.csv").string();
  const auto r = ctcscope({"predict", damaged, "--manifest", data, "--out", out});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(damaged + ": tensor payload sha256"), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out));
}

// An experiment planned (2 ablations x 1 seed of resnet18, nothing trained) into a fresh folder.
std::string planned_experiment(const std::string& name) {
  const std::string out = (root() / name).string();
  fs::remove_all(out);
  const auto r = ctcscope({"experiment", dataset(name + "_data"), "--out", out, "--ablations", "BF_noDAPI,BF_DAPI",
                           "--seeds", "1", "--model", "resnet18", "--plan"});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_NE(r.output.find("2 runs"), std::string::npos) << r.output;
  return out;
}

TEST(BadInput, PlanOfAnotherVersionIsRefusedNamingBoth) {
  const std::string out = planned_experiment("plan_version");
  std::string plan = read_file_bytes(out + "/plan.json");
  const std::string key = "\"software_version\": \"ctcscope ";
  plan.replace(plan.find(key), key.size(), key + "0.0.1-");
  write_file_atomic(out + "/plan.json", plan);
  const auto r = ctcscope({"experiment", out, "--run", "0"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(out + "/plan.json: written by ctcscope 0.0.1-"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("; this is ctcscope "), std::string::npos) << r.output;
  EXPECT_FALSE(fs::exists(out + "/resnet18_BF_noDAPI_seed0"));
}

TEST(BadInput, RunIndexOutOfRangeIsRefused) {
  const std::string out = planned_experiment("run_index");
  const auto r = ctcscope({"experiment", out, "--run", "2"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find("run 2 is out of range: the plan has 2 runs (0 to 1)"), std::string::npos) << r.output;
}

TEST(BadInput, CollectWithMissingRunsNamesThem) {
  const std::string out = planned_experiment("collect_missing");
  const auto r = ctcscope({"experiment", out, "--collect"});
  EXPECT_EQ(r.code, 1) << r.output;
  for (const char* run : {"run 0 (", "resnet18_BF_noDAPI_seed0): not started", "resnet18_BF_DAPI_seed0): not started"}) {
    EXPECT_NE(r.output.find(run), std::string::npos) << r.output;
  }
  EXPECT_FALSE(fs::exists(out + "/table3_ablations.csv"));
}

TEST(BadInput, SecondTaskOnOneRunFolderIsRefusedByTheLock) {
  const std::string out = planned_experiment("run_locked");
  const std::string run = out + "/resnet18_BF_DAPI_seed0";
  fs::create_directories(run);
  // Another node's task holds it (pid 1 lives here too, so only the host tells them apart).
  const std::string lock = "{\"host\": \"node17\", \"pid\": 1, \"slurm_task\": \"900_1\", \"since\": \"x\"}\n";
  write_file_atomic(run + "/run.lock", lock);
  const auto r = ctcscope({"experiment", out, "--run", "1"});
  EXPECT_EQ(r.code, 1) << r.output;
  EXPECT_NE(r.output.find(run + "/run.lock: the run is held by host node17 pid 1 (Slurm task 900_1)"), std::string::npos)
      << r.output;
  EXPECT_EQ(read_file_bytes(run + "/run.lock"), lock);
  EXPECT_FALSE(fs::exists(run + "/config.json"));
}

TEST(BadInput, BadUsageExitsWith2) {
  const auto r = ctcscope({"predict", checkpoint(), "--out", (root() / "x.csv").string()});
  EXPECT_EQ(r.code, 2) << r.output;
  EXPECT_NE(r.output.find("give exactly one of --manifest DIR and --folder DIR"), std::string::npos) << r.output;
  // A flag's value is true, false, 1 or 0; --resume=false does not resume, --resume=maybe is refused.
  const auto flag = ctcscope({"train", "data", "--out", (root() / "run").string(), "--resume=maybe"});
  EXPECT_EQ(flag.code, 2) << flag.output;
  EXPECT_NE(flag.output.find("--resume takes true, false, 1 or 0, got 'maybe'"), std::string::npos) << flag.output;
}

}  // namespace
}  // namespace ctcscope
