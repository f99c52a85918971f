// Weight import: every check first (names, shapes, element types), then the
// copies, so a failed import leaves the model as it was.
#include "models/weight_import.h"

#include <cmath>
#include <map>
#include <regex>
#include <sstream>

#include "layers/linear.h"
#include "models/registry.h"
#include "tensor/random.h"

namespace ctcscope {

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

bool is_float(DType t) { return t == DType::f32 || t == DType::f64; }
bool is_int(DType t) { return t == DType::i32 || t == DType::i64; }

std::string quoted_list(const std::vector<std::string>& names, std::size_t most = 8) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < most; ++i) {
    if (i) out.append(", ");
    out.append("'").append(names[i]).append("'");
  }
  if (names.size() > most) out.append(", ... (").append(std::to_string(names.size() - most)).append(" more)");
  return out;
}

// `src` as `dtype`: float to float (f64 -> f32 rounds), integer to integer.
Tensor convert(const Tensor& src, DType dtype) {
  if (src.dtype() == dtype) return src;
  if (is_float(dtype)) return src.to(dtype);
  Tensor out = Tensor::empty(src.shape(), dtype);
  const std::int64_t n = src.numel();
  if (dtype == DType::i64) {
    const std::int32_t* s = src.data<std::int32_t>();
    std::int64_t* d = out.data<std::int64_t>();
    for (std::int64_t i = 0; i < n; ++i) d[i] = s[i];
  } else {
    const std::int64_t* s = src.data<std::int64_t>();
    std::int32_t* d = out.data<std::int32_t>();
    for (std::int64_t i = 0; i < n; ++i) d[i] = static_cast<std::int32_t>(s[i]);
  }
  return out;
}

// torchvision's published DenseNet files (densenet121-a639ec97.pth) predate
// its current names: "denselayer1.norm.1.weight" for "denselayer1.norm1.weight".
// torchvision renames them with this pattern when it loads them; so do we.
std::string current_torchvision_name(const std::string& name) {
  static const std::regex legacy_dense(
      R"(^(.*denselayer\d+\.(?:norm|relu|conv))\.((?:[12])\.(?:weight|bias|running_mean|running_var))$)");
  std::smatch m;
  if (!std::regex_match(name, m, legacy_dense)) return name;
  return m[1].str() + m[2].str();
}

// timm's EfficientNets (timm/models/efficientnet.py and _efficientnet_blocks.py
// in huggingface/pytorch-image-models) have torchvision's structure under
// other names: conv_stem/bn1, blocks.S.B (stage 0 DepthwiseSeparableConv:
// conv_dw, bn1, se, conv_pw, bn2; later stages InvertedResidual: conv_pw,
// bn1, conv_dw, bn2, se, conv_pwl, bn3; se.conv_reduce/conv_expand),
// conv_head/bn2 and classifier. Names that fit none stay as they are (and
// are then reported as unknown).
std::string torchvision_name_from_timm_efficientnet(const std::string& name) {
  static const std::regex block(R"(^blocks\.(\d+)\.(\d+)\.(conv_dw|conv_pwl|conv_pw|bn1|bn2|bn3|se\.conv_reduce|se\.conv_expand)\.(.+)$)");
  static const std::regex top(R"(^(conv_stem|bn1|conv_head|bn2|classifier)\.(.+)$)");
  static const std::map<std::string, std::string> first_stage = {
      {"conv_dw", "block.0.0"}, {"bn1", "block.0.1"},         {"se.conv_reduce", "block.1.fc1"},
      {"se.conv_expand", "block.1.fc2"}, {"conv_pw", "block.2.0"}, {"bn2", "block.2.1"}};
  static const std::map<std::string, std::string> later_stage = {
      {"conv_pw", "block.0.0"},          {"bn1", "block.0.1"},         {"conv_dw", "block.1.0"},
      {"bn2", "block.1.1"},              {"se.conv_reduce", "block.2.fc1"}, {"se.conv_expand", "block.2.fc2"},
      {"conv_pwl", "block.3.0"},         {"bn3", "block.3.1"}};
  static const std::map<std::string, std::string> tops = {{"conv_stem", "features.0.0"}, {"bn1", "features.0.1"},
                                                          {"conv_head", "features.8.0"}, {"bn2", "features.8.1"},
                                                          {"classifier", "classifier.1"}};
  std::smatch m;
  if (std::regex_match(name, m, block)) {
    const int stage = std::stoi(m[1].str());
    const auto& map = stage == 0 ? first_stage : later_stage;
    auto it = map.find(m[3].str());
    if (it == map.end()) return name;
    return "features." + std::to_string(stage + 1) + "." + m[2].str() + "." + it->second + "." + m[4].str();
  }
  if (std::regex_match(name, m, top)) return tops.at(m[1].str()) + "." + m[2].str();
  return name;
}

// The flat index of the first NaN or infinity in a float tensor, or -1.
template <typename T>
std::int64_t first_non_finite(const Tensor& t) {
  const T* p = t.data<T>();
  for (std::int64_t i = 0; i < t.numel(); ++i) {
    if (!std::isfinite(p[i])) return i;
  }
  return -1;
}

std::int64_t first_non_finite(const Tensor& t) {
  if (t.dtype() == DType::f32) return first_non_finite<float>(t);
  if (t.dtype() == DType::f64) return first_non_finite<double>(t);
  return -1;
}

}  // namespace

std::string ImportReport::summary() const {
  std::ostringstream out;
  out << source << ": imported " << imported << " entries";
  if (!converted.empty()) out << ", " << converted.size() << " converted to the model's element type";
  if (renamed > 0) out << ", " << renamed << " renamed from " << renamed_from;
  out << "\n";
  if (!head_note.empty()) out << "  new head: " << head_note << "\n";
  for (const auto& n : unknown) out << "  skipped (not in the model): " << n << "\n";
  for (const auto& n : missing) out << "  not in the file (kept the model's value): " << n << "\n";
  return out.str();
}

std::int64_t state_dict_head_classes(const StateDict& state, const std::string& head) {
  const std::string name = head + ".weight";
  for (const auto& e : state) {
    if (e.name == name && e.tensor.dim() == 2) return e.tensor.size(0);
  }
  return 0;
}

ImportReport import_state_dict(Module& model, const StateDict& state, const ImportOptions& options) {
  const std::string& src = options.source;
  const std::string head_name = !options.head.empty()    ? options.head
                                : !options.model.empty() ? model_head_name(options.model)
                                                         : std::string("fc");
  const std::string head_prefix = head_name + ".";
  ImportReport report;
  report.source = src;

  // Names other libraries give the same tensors, read as torchvision's.
  bool timm_efficientnet = false;
  for (const auto& e : state) timm_efficientnet = timm_efficientnet || e.name == "conv_stem.weight";
  std::map<std::string, const Tensor*> file;
  for (const auto& e : state) {
    const std::string name =
        timm_efficientnet ? torchvision_name_from_timm_efficientnet(e.name) : current_torchvision_name(e.name);
    CTC_CHECK_INPUT(file.emplace(name, &e.tensor).second, src, ": '", e.name, "' appears twice");
    if (name != e.name) ++report.renamed;
  }
  if (report.renamed > 0) {
    report.renamed_from = timm_efficientnet ? "timm's EfficientNet names" : "torchvision's legacy DenseNet names";
  }

  Linear* head = nullptr;
  if (options.replace_head) {
    head = dynamic_cast<Linear*>(model.find(head_name));
    CTC_CHECK_INPUT(head != nullptr, src, ": cannot replace the head: the model has no Linear '", head_name, "'");
  }

  struct Copy {
    Tensor* dst;
    Tensor src;
  };
  std::vector<Copy> copies;
  std::map<std::string, bool> used;
  for (auto& [name, dst] : model.state_dict()) {
    if (head && starts_with(name, head_prefix)) {
      report.head_replaced.push_back(name);
      continue;
    }
    auto it = file.find(name);
    if (it == file.end()) {
      report.missing.push_back(name);
      continue;
    }
    used[name] = true;
    const Tensor& t = *it->second;
    if (t.shape() != dst->shape()) {
      std::string msg = std::string(src).append(": '").append(name).append("' has shape ").append(t.shape_str())
                            .append(", model expects ").append(dst->shape_str());
      if (starts_with(name, head_prefix)) msg.append(" (another number of classes: ask for a new head)");
      CTC_FAIL(msg);
    }
    const bool same_kind = (is_float(t.dtype()) && is_float(dst->dtype())) ||
                           (is_int(t.dtype()) && is_int(dst->dtype()));
    CTC_CHECK_INPUT(same_kind, src, ": '", name, "' has element type ", dtype_name(t.dtype()), ", model expects ",
                    dtype_name(dst->dtype()));
    CTC_CHECK_INPUT(t.device() == Device::cpu, src, ": '", name, "' is not on the CPU");
    if (t.dtype() != dst->dtype()) report.converted.push_back(name);
    Tensor value = convert(t, dst->dtype());
    const std::int64_t bad = first_non_finite(value);
    if (bad >= 0) {
      const double v = value.dtype() == DType::f32 ? double(value.data<float>()[bad]) : value.data<double>()[bad];
      CTC_FAIL(src, ": '", name, "' holds ", std::isnan(v) ? "NaN" : "an infinity", " at flat index ", bad,
               " (of ", value.numel(), "): the file is damaged or the training that wrote it diverged");
    }
    copies.push_back({dst, value});
  }
  for (const auto& [name, tensor] : file) {
    if (used.count(name)) continue;
    if (head && starts_with(name, head_prefix)) continue;  // the file's head, replaced
    report.unknown.push_back(name);
  }

  // A missing num_batches_tracked is what PyTorch's BatchNorm tolerates too
  // (files from before PyTorch 0.4.1 lack it); it does not change the outputs.
  std::vector<std::string> missing_params;
  for (const auto& n : report.missing) {
    if (!n.ends_with(".num_batches_tracked")) missing_params.push_back(n);
  }
  CTC_CHECK_INPUT(options.allow_unknown || report.unknown.empty(), src, ": ", report.unknown.size(),
                  " entries the model does not have: ", quoted_list(report.unknown),
                  " (allow unknown entries to skip them)");
  CTC_CHECK_INPUT(options.allow_missing || missing_params.empty(), src, ": ", missing_params.size(),
                  " model entries are not in the file: ", quoted_list(missing_params),
                  " (allow missing entries to keep the model's values)");

  for (auto& c : copies) c.dst->copy_from(c.src);
  report.imported = static_cast<std::int64_t>(copies.size());

  if (head) {
    if (!options.model.empty()) {
      model_reset_head(options.model, model, options.head_seed);
    } else {
      for (auto& [name, p] : model.named_parameters()) {
        if (!starts_with(name, head_prefix)) continue;
        init_uniform_fan_in(p->value, head->in_features(), Seed{"init." + name, 0, options.head_seed});
      }
    }
    std::ostringstream note;
    const std::int64_t file_classes = state_dict_head_classes(state, head_name);
    note << head_name << ": ";
    if (file_classes > 0) note << file_classes << " -> ";
    note << head->out_features() << " classes, initialised as "
         << (options.model.empty() ? std::string("nn.Linear's default") : options.model + "'s head")
         << " from seed " << options.head_seed;
    report.head_note = note.str();
  }
  return report;
}

ImportReport import_weights(Module& model, const std::string& path, ImportOptions options) {
  if (options.source.empty() || options.source == ImportOptions{}.source) options.source = path;
  return import_state_dict(model, read_state_dict(path), options);
}

}  // namespace ctcscope
