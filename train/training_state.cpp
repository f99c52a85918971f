// Saving and restoring a run's full training state (last.safetensors).
#include "train/training_state.h"

#include <cstdio>
#include <map>

#include "models/checkpoint.h"
#include "base/error.h"
#include "formats/state_dict.h"

namespace ctcscope {

namespace {

std::string exact(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

const std::string& need(const Metadata& m, const char* key, const std::string& path) {
  auto it = m.find(key);
  CTC_CHECK_INPUT(it != m.end(), path, ": training state metadata has no '", key, "'");
  return it->second;
}

std::int64_t need_int(const Metadata& m, const char* key, const std::string& path) {
  const std::string& s = need(m, key, path);
  try {
    std::size_t used = 0;
    long long v = std::stoll(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(detail::concat(path, ": training state metadata '", key, "' is not an integer: '", s, "'"));
}

double need_double(const Metadata& m, const char* key, const std::string& path) {
  const std::string& s = need(m, key, path);
  try {
    std::size_t used = 0;
    double v = std::stod(s, &used);
    if (used == s.size()) return v;
  } catch (const std::exception&) {
  }
  throw Error(detail::concat(path, ": training state metadata '", key, "' is not a number: '", s, "'"));
}

}  // namespace

void save_training_state(const std::string& path, Module& model, AdamW& optimizer, const TrainingState& state) {
  StateDict tensors;
  // Host copies of a model and moments on the GPU; loading copies them back
  // into the tensors wherever they live (Tensor::copy_from).
  for (auto& [name, t] : model.state_dict()) tensors.push_back({"model." + name, t->to_device(Device::cpu)});
  for (auto& [name, t] : optimizer.state()) tensors.push_back({"optim." + name, t->to_device(Device::cpu)});
  Metadata m;
  m["format"] = kTrainingStateFormat;
  m["format_version"] = "1";
  m["software_version"] = std::string("ctcscope ").append(CTC_VERSION);
  m["epoch"] = std::to_string(state.epoch);
  m["step_count"] = std::to_string(optimizer.step_count());
  m["best_val_macro_f1"] = exact(state.best_val_macro_f1);
  m["best_epoch"] = std::to_string(state.best_epoch);
  m["epochs_since_best"] = std::to_string(state.epochs_since_best);
  m["training_config"] = state.training_config;
  m["payload_sha256"] = checkpoint_payload_sha256(tensors);
  write_safetensors(path, tensors, m);
}

TrainingState load_training_state(const std::string& path, Module& model, AdamW& optimizer) {
  SafetensorsContents contents = read_safetensors(path);
  const Metadata& m = contents.metadata;
  auto format = m.find("format");
  CTC_CHECK_INPUT(format != m.end() && format->second == kTrainingStateFormat, path,
                  ": not a ctcscope training state (metadata format '", kTrainingStateFormat, "' missing)");
  CTC_CHECK_INPUT(need_int(m, "format_version", path) == 1, path, ": unsupported training state format version ",
                  need(m, "format_version", path));
  const std::string actual = checkpoint_payload_sha256(contents.tensors);
  CTC_CHECK_INPUT(actual == need(m, "payload_sha256", path), path, ": tensor payload sha256 ", actual,
                  " differs from the recorded one: the file was altered or damaged");

  std::map<std::string, const Tensor*> by_name;
  for (const auto& e : contents.tensors) by_name[e.name] = &e.tensor;
  auto copy_into = [&](const std::string& name, Tensor& dst) {
    auto it = by_name.find(name);
    CTC_CHECK_INPUT(it != by_name.end(), path, ": training state lacks '", name, "'");
    const Tensor& src = *it->second;
    CTC_CHECK_INPUT(src.shape() == dst.shape() && src.dtype() == dst.dtype(), path, ": '", name, "' is ", src.describe(),
                    ", the run expects ", dst.describe());
    dst.copy_from(src);
  };
  // Check everything before changing anything.
  for (auto& [name, t] : model.state_dict()) {
    auto it = by_name.find("model." + name);
    CTC_CHECK_INPUT(it != by_name.end(), path, ": training state lacks 'model.", name, "'");
    CTC_CHECK_INPUT(it->second->shape() == t->shape(), path, ": 'model.", name, "' has shape ",
                    it->second->shape_str(), ", the model expects ", t->shape_str());
  }
  for (auto& [name, t] : model.state_dict()) copy_into("model." + name, *t);
  for (auto& [name, t] : optimizer.state()) copy_into("optim." + name, *t);

  TrainingState s;
  s.epoch = need_int(m, "epoch", path);
  s.step_count = need_int(m, "step_count", path);
  s.best_val_macro_f1 = need_double(m, "best_val_macro_f1", path);
  s.best_epoch = need_int(m, "best_epoch", path);
  s.epochs_since_best = need_int(m, "epochs_since_best", path);
  s.training_config = need(m, "training_config", path);
  optimizer.set_step_count(s.step_count);
  return s;
}

}  // namespace ctcscope
