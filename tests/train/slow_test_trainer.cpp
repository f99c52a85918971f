// The training loop end to end on a tiny generated dataset: the run folder
// and its hashes, evaluation and prediction from the best checkpoint, resume
// after an interruption (bitwise the same weights), NaN divergence. Slow:
// each trains a small ResNet18 for a few epochs on the CPU.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "base/file_util.h"
#include "data/manifest.h"
#include "models/checkpoint.h"
#include "tests/support/test_util.h"
#include "base/json.h"
#include "base/sha256.h"
#include "formats/state_dict.h"
#include "tests/train/train_fixture.h"
#include "train/checkpoint_eval.h"
#include "train/operating_points.h"
#include "train/run_data.h"
#include "train/run_folder.h"
#include "train/trainer.h"

namespace ctcscope {
namespace {

using test::fresh_run_dir;
using test::tiny_config;
using test::tiny_dataset;
using test::expect_error_containing;

JsonValue read_json(const std::string& path) { return json_parse(read_file_bytes(path), path); }

std::string json_string(const JsonValue& v, const char* key) {
  const JsonValue* m = v.find(key);
  return m && m->is_string() ? m->as_string() : "<missing>";
}

// Every tensor of a safetensors file, by name, as raw bytes.
std::map<std::string, std::string> tensor_bytes(const std::string& path) {
  std::map<std::string, std::string> out;
  for (const auto& e : read_safetensors(path).tensors) {
    out[e.name] = std::string(static_cast<const char*>(e.tensor.raw_data()), e.tensor.nbytes());
  }
  return out;
}

TEST(Trainer, RunFolderEvalAndPredict) {
  const std::string dir = fresh_run_dir("end_to_end");
  TrainConfig c = tiny_config(dir);
  std::vector<std::string> messages;
  std::int64_t steps_seen = 0;
  TrainHooks hooks;
  hooks.on_message = [&](const std::string& m) { messages.push_back(m); };
  hooks.on_step = [&](const TrainProgress& p) {
    ++steps_seen;
    EXPECT_GT(p.images_per_second, 0);
    EXPECT_TRUE(std::isfinite(p.loss));
  };
  const TrainOutcome out = train_run(c, false, "test", hooks);
  EXPECT_EQ(out.status, RunStatus::completed) << out.message;
  EXPECT_EQ(out.epochs_completed, 2);
  EXPECT_GE(out.best_epoch, 1);
  EXPECT_GT(steps_seen, 0);

  const RunPaths paths{dir};
  for (const auto& f : {paths.config(), paths.split(), paths.metrics(), paths.best(), paths.last(),
                        paths.run_record()}) {
    EXPECT_TRUE(file_exists(f)) << f;
  }
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    EXPECT_EQ(e.path().string().find(".tmp"), std::string::npos) << "temporary file left: " << e.path();
  }
  const auto rows = read_metrics_csv(paths.metrics());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].epoch, 2);
  EXPECT_GT(rows[0].seconds, 0);
  EXPECT_DOUBLE_EQ(rows[0].lr, 1e-3);

  const JsonValue record = read_json(paths.run_record());
  EXPECT_EQ(json_string(record, "status"), "completed");
  EXPECT_EQ(json_string(record, "manifest_sha256"), manifest_sha256(tiny_dataset()));
  EXPECT_EQ(json_string(record, "best_sha256"), sha256_file_hex(paths.best()));
  EXPECT_EQ(json_string(record, "weights_sha256"), "");
  EXPECT_EQ(json_string(record, "command_line"), "test");
  EXPECT_NE(json_string(record, "software_version").find("ctcscope"), std::string::npos);
  EXPECT_NE(json_string(record, "end_time"), "");
  EXPECT_EQ(train_config_from_json(read_file_bytes(paths.config()), paths.config()).identity_json(),
            c.identity_json());

  // The best checkpoint on the test split.
  const RunData data = load_run_data(tiny_dataset(), paths.split(), 0, 0);
  const CheckpointEval e =
      evaluate_checkpoint(paths.best(), tiny_dataset(), paths.split(), 0.5, ValidationCells::predict);
  EXPECT_EQ(e.metrics.n, static_cast<std::int64_t>(data.test.size()));
  EXPECT_EQ(e.architecture, "resnet18");
  EXPECT_EQ(e.ablation, Ablation::bf_dapi_no_aug);
  EXPECT_GE(e.metrics.accuracy, 0.0);

  // The best checkpoint holds the operating points of its own validation
  // predictions. Recomputed here from eval's pass over the validation cells,
  // in batches of another size than training's: the same math summed in
  // another order, so near, not equal.
  ASSERT_TRUE(e.operating.stored);
  EXPECT_EQ(e.operating.target_sensitivity, c.target_sensitivity);
  EXPECT_EQ(e.validation.truth.size(), data.val.size());
  const OperatingPoints again = choose_operating_points(e.validation, c.target_sensitivity);
  EXPECT_NEAR(again.temperature, e.operating.temperature, 1e-5 * e.operating.temperature);
  EXPECT_NEAR(again.sensitivity_threshold, e.operating.sensitivity_threshold, 1e-5);
  EXPECT_NEAR(again.youden_threshold, e.operating.youden_threshold, 1e-5);
  EXPECT_EQ(e.at_operating_points.size(), 3u);

  // And on a folder of new BF images.
  const CellPredictions p = predict_cells(paths.best(), folder_manifest(tiny_dataset() + "/bf"));
  EXPECT_EQ(p.cell_ids.size(), read_manifest(tiny_dataset()).cells.size());
  for (double prob : p.ctc_probability) EXPECT_TRUE(prob >= 0 && prob <= 1);
  EXPECT_EQ(p.operating.temperature, e.operating.temperature);
  EXPECT_EQ(p.cell_ids[0].find("_bf"), std::string::npos);

  // A second run into the same folder needs --resume.
  expect_error_containing([&] { train_run(c, false, "test"); }, "pass --resume");
  // And --resume with other options is refused.
  TrainConfig other = c;
  other.lr = 2e-3;
  expect_error_containing([&] { train_run(other, true, "test"); }, "another configuration");
}

// A resumed run against one never interrupted: the same bytes in every
// tensor of last and best. `model` is trained as in the tiny config
// otherwise; EfficientNet-B4 has dropout and stochastic depth, whose masks the
// resumed run must draw from where the first run stopped.
void expect_resume_bitwise(const std::string& model) {
  const std::string straight = fresh_run_dir("straight_" + model);
  const std::string resumed = fresh_run_dir("resumed_" + model);
  TrainConfig c = tiny_config(straight);
  c.model = model;
  ASSERT_EQ(train_run(c, false, "test").status, RunStatus::completed);

  c.out_dir = resumed;
  TrainHooks stop;
  stop.stop_after_epoch = 1;
  const TrainOutcome first = train_run(c, false, "test", stop);
  EXPECT_EQ(first.status, RunStatus::interrupted);
  EXPECT_EQ(first.epochs_completed, 1);
  EXPECT_EQ(read_metrics_csv(resumed + "/metrics.csv").size(), 1u);
  const TrainOutcome second = train_run(c, true, "test");
  EXPECT_EQ(second.status, RunStatus::completed) << second.message;
  EXPECT_EQ(second.epochs_completed, 2);

  const auto a = tensor_bytes(straight + "/last.safetensors");
  const auto b = tensor_bytes(resumed + "/last.safetensors");
  ASSERT_EQ(a.size(), b.size());
  std::int64_t optim = 0;
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs after resume";
    optim += name.rfind("optim.", 0) == 0;
  }
  EXPECT_GT(optim, 0);
  EXPECT_EQ(read_safetensors(straight + "/last.safetensors").metadata.at("step_count"),
            read_safetensors(resumed + "/last.safetensors").metadata.at("step_count"));
  EXPECT_EQ(tensor_bytes(straight + "/best.safetensors"), tensor_bytes(resumed + "/best.safetensors"));
  // The thresholds and the temperature too: chosen from the same validation predictions.
  for (const char* key : {"operating_points", "temperature"}) {
    EXPECT_EQ(read_safetensors(straight + "/best.safetensors").metadata.at(key),
              read_safetensors(resumed + "/best.safetensors").metadata.at(key))
        << key;
  }
  EXPECT_EQ(read_metrics_csv(resumed + "/metrics.csv").size(), 2u);
}

TEST(Trainer, ResumeGivesTheSameWeightsBitwise) { expect_resume_bitwise("resnet18"); }

TEST(Trainer, ResumeGivesTheSameWeightsBitwiseWithDropoutAndStochasticDepth) {
  expect_resume_bitwise("efficientnet_b4");
}

TEST(Trainer, NanLossStopsAndKeepsTheLastGoodCheckpoint) {
  const std::string dir = fresh_run_dir("nan");
  TrainConfig c = tiny_config(dir);
  c.epochs = 3;
  TrainHooks hooks;
  hooks.before_step = [](Batch& batch, std::int64_t epoch, std::int64_t step) {
    if (epoch == 2 && step == 2) batch.images.data<float>()[0] = std::nanf("");
  };
  const TrainOutcome out = train_run(c, false, "test", hooks);
  EXPECT_EQ(out.status, RunStatus::diverged);
  EXPECT_NE(out.message.find("loss became nan at epoch 2, step 2"), std::string::npos) << out.message;
  EXPECT_NE(out.message.find("Last good checkpoint"), std::string::npos) << out.message;
  EXPECT_EQ(out.epochs_completed, 1);
  const auto last = read_safetensors(dir + "/last.safetensors");
  EXPECT_EQ(last.metadata.at("epoch"), "1");
  for (const auto& e : last.tensors) {
    if (e.tensor.dtype() != DType::f32) continue;
    for (double v : e.tensor.to_double_vector()) ASSERT_TRUE(std::isfinite(v)) << e.name;
  }
  load_checkpoint(dir + "/best.safetensors");  // intact
  EXPECT_EQ(json_string(read_json(dir + "/run.json"), "status"), "diverged");
  EXPECT_EQ(read_metrics_csv(dir + "/metrics.csv").size(), 1u);
}

}  // namespace
}  // namespace ctcscope
