// Checkpoints: the metadata keys, the payload hash, and the two directions.
#include "models/checkpoint.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "models/registry.h"
#include "models/weight_import.h"
#include "base/sha256.h"
#include "base/split_list.h"

#ifndef CTC_VERSION
#define CTC_VERSION "unknown"
#endif

namespace ctcscope {

namespace {

constexpr const char* kFormatName = "ctcscope-checkpoint";

std::string format_doubles(const std::array<double, 3>& v) {
  std::string out;
  char buf[32];
  for (std::size_t i = 0; i < v.size(); ++i) {
    std::snprintf(buf, sizeof buf, "%.17g", v[i]);
    if (i) out.append(",");
    out.append(buf);
  }
  return out;
}

const std::string& need(const Metadata& m, const std::string& key, const std::string& path) {
  auto it = m.find(key);
  CTC_CHECK_INPUT(it != m.end(), path, ": checkpoint metadata lacks '", key, "'");
  return it->second;
}

std::int64_t parse_int(const std::string& s, const std::string& key, const std::string& path) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  CTC_CHECK_INPUT(ec == std::errc() && end == s.data() + s.size(), path, ": checkpoint metadata '", key,
                  "' must be an integer, got '", s, "'");
  return v;
}

std::array<double, 3> parse_triple(const std::string& s, const std::string& key, const std::string& path) {
  auto parts = split_list(s);
  CTC_CHECK_INPUT(parts.size() == 3, path, ": checkpoint metadata '", key, "' must be 3 numbers, got '", s, "'");
  std::array<double, 3> v{};
  for (int i = 0; i < 3; ++i) {
    std::size_t used = 0;
    try {
      v[i] = std::stod(parts[i], &used);
    } catch (const std::exception&) {
      used = 0;
    }
    CTC_CHECK_INPUT(used == parts[i].size() && used > 0, path, ": checkpoint metadata '", key,
                    "' must be 3 numbers, got '", s, "'");
  }
  return v;
}

double parse_positive(const std::string& s, const std::string& key, const std::string& path) {
  double v = 0;
  std::size_t used = 0;
  try {
    v = std::stod(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  CTC_CHECK_INPUT(used == s.size() && used > 0 && std::isfinite(v) && v > 0, path, ": checkpoint metadata '", key,
                  "' must be a positive number, got '", s, "'");
  return v;
}

}  // namespace

std::string checkpoint_payload_sha256(const StateDict& tensors) {
  std::vector<const StateDictEntry*> order;
  for (const auto& e : tensors) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->name < b->name; });
  Sha256 h;
  for (const StateDictEntry* e : order) {
    std::string head = e->name;
    head.append("\n").append(dtype_name(e->tensor.dtype())).append("\n").append(e->tensor.shape_str()).append("\n");
    h.update(head.data(), head.size());
    h.update(e->tensor.raw_data(), e->tensor.nbytes());
  }
  return h.hex();
}

void save_checkpoint(const std::string& path, Module& model, const CheckpointInfo& info) {
  CTC_CHECK_INPUT(is_model_name(info.architecture), path, ": unknown architecture '", info.architecture, "'");
  CTC_CHECK_INPUT(info.classes.size() >= 2, path, ": a checkpoint needs at least 2 class names");
  for (const auto& c : info.classes) {
    CTC_CHECK_INPUT(!c.empty() && c.find(',') == std::string::npos, path, ": class name '", c,
                    "' must be non-empty and hold no comma");
  }
  StateDict tensors;
  // The file is written from host copies: a model on the GPU is saved as one on the CPU.
  for (auto& [name, t] : model.state_dict()) tensors.push_back({name, t->to_device(Device::cpu)});
  Metadata m;
  std::string classes;
  for (const auto& c : info.classes) classes.append(classes.empty() ? "" : ",").append(c);
  m["format"] = kFormatName;
  m["format_version"] = std::to_string(kCheckpointFormatVersion);
  m["architecture"] = info.architecture;
  m["classes"] = classes;
  m["input_size"] = std::to_string(info.input_size);
  m["mean"] = format_doubles(info.mean);
  m["std"] = format_doubles(info.std);
  m["training_config"] = info.training_config;
  m["intensity"] = info.intensity;
  CTC_CHECK_INPUT(std::isfinite(info.temperature) && info.temperature > 0, path, ": temperature ", info.temperature,
                  " is not a positive number");
  if (!info.operating_points.empty()) m["operating_points"] = info.operating_points;
  char temperature[32];
  std::snprintf(temperature, sizeof temperature, "%.17g", info.temperature);
  m["temperature"] = temperature;
  m["software_version"] = std::string("ctcscope ").append(CTC_VERSION);
  m["payload_sha256"] = checkpoint_payload_sha256(tensors);
  write_safetensors(path, tensors, m);
}

CheckpointInfo checkpoint_info_from_metadata(const Metadata& m, const std::string& path) {
  auto format = m.find("format");
  CTC_CHECK_INPUT(format != m.end() && format->second == kFormatName, path,
                  ": not a ctcscope checkpoint (its safetensors metadata has no format '", kFormatName, "')");
  CheckpointInfo info;
  const std::int64_t version = parse_int(need(m, "format_version", path), "format_version", path);
  CTC_CHECK_INPUT(version <= kCheckpointFormatVersion, path, ": checkpoint format version ", version,
                  " is newer than this build of ctcscope reads (up to ", kCheckpointFormatVersion,
                  "); it was written by ", m.count("software_version") ? m.at("software_version") : "a newer ctcscope",
                  ": update ctcscope");
  CTC_CHECK_INPUT(version >= 1, path, ": checkpoint format version ", version, " is not valid");
  info.format_version = static_cast<int>(version);
  info.architecture = need(m, "architecture", path);
  info.classes = split_list(need(m, "classes", path));
  CTC_CHECK_INPUT(info.classes.size() >= 2, path, ": checkpoint metadata 'classes' must name at least 2 classes, got '",
                  m.at("classes"), "'");
  info.input_size = parse_int(need(m, "input_size", path), "input_size", path);
  CTC_CHECK_INPUT(info.input_size >= kMinInputSize && info.input_size <= kMaxInputSize, path,
                  ": checkpoint metadata 'input_size' must be from ", kMinInputSize, " to ", kMaxInputSize, ", got ",
                  info.input_size);
  info.mean = parse_triple(need(m, "mean", path), "mean", path);
  info.std = parse_triple(need(m, "std", path), "std", path);
  info.training_config = need(m, "training_config", path);
  if (const auto it = m.find("intensity"); it != m.end()) info.intensity = it->second;
  if (const auto it = m.find("operating_points"); it != m.end()) info.operating_points = it->second;
  if (const auto it = m.find("temperature"); it != m.end()) {
    info.temperature = parse_positive(it->second, "temperature", path);
  }
  info.software_version = need(m, "software_version", path);
  return info;
}

VerifiedCheckpointFile read_checkpoint_file(const std::string& path) {
  SafetensorsContents contents = read_safetensors(path);
  VerifiedCheckpointFile out;
  out.info = checkpoint_info_from_metadata(contents.metadata, path);
  const std::string& recorded = need(contents.metadata, "payload_sha256", path);
  const std::string actual = checkpoint_payload_sha256(contents.tensors);
  CTC_CHECK_INPUT(actual == recorded, path, ": tensor payload sha256 ", actual, " differs from the recorded ", recorded,
                  ": the file was altered or damaged");
  out.tensors = std::move(contents.tensors);
  return out;
}

Checkpoint load_checkpoint(const std::string& path) {
  VerifiedCheckpointFile file = read_checkpoint_file(path);
  Checkpoint out;
  out.info = std::move(file.info);
  CTC_CHECK_INPUT(is_model_name(out.info.architecture), path, ": unknown architecture '", out.info.architecture, "'");
  out.model = make_model(out.info.architecture, static_cast<std::int64_t>(out.info.classes.size()));
  ImportOptions options;
  options.source = path;
  import_state_dict(*out.model, file.tensors, options);
  out.model->eval();
  return out;
}

}  // namespace ctcscope
