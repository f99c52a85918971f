// --weights: from scratch, one file, a folder of published files, or
// MODEL=FILE pairs, resolved to a file per model before anything is trained.
#include "train/weights_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "models/registry.h"
#include "base/error.h"
#include "base/split_list.h"

namespace ctcscope {

namespace fs = std::filesystem;

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

bool is_weights_file_name(const std::string& name, const std::string& model) {
  const auto ends_with = [&](const std::string& suffix) {
    return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return name.size() > model.size() && name.rfind(model, 0) == 0 &&
         (name[model.size()] == '-' || name[model.size()] == '_') && (ends_with(".pth") || ends_with(".safetensors"));
}

// The model's file in `dir`; "" with `problem` set when there is none or more than one.
std::string file_in_folder(const std::string& dir, const std::string& model, std::string& problem) {
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && is_weights_file_name(name, model)) found.push_back(e.path().string());
  }
  CTC_CHECK_INPUT(!ec, dir, ": cannot list the folder: ", ec.message());
  std::sort(found.begin(), found.end());
  const std::string published = published_weights_name(model);
  if (found.empty()) {
    problem = dir + ": no weights file for " + model + " (a file named " + model + "-*.pth, " + model +
              "_*.pth or .safetensors" + (published.empty() ? "" : ", as torchvision's " + published) +
              "), or name it with --weights MODEL=FILE,...";
  } else if (found.size() > 1) {
    problem = dir + ": " + std::to_string(found.size()) + " weights files for " + model + " (" + join(found) +
              "): keep one, or name each with --weights MODEL=FILE,...";
  }
  return found.size() == 1 ? found.front() : "";
}

// "resnet50=a.pth,densenet121=b.pth" when every item's left side is a model name.
bool is_pair_list(const std::string& spec) {
  const std::size_t eq = spec.find('=');
  return eq != std::string::npos && is_model_name(spec.substr(0, eq));
}

std::map<std::string, std::string> parse_pairs(const std::string& spec, const std::vector<std::string>& models) {
  std::map<std::string, std::string> files;
  for (const std::string& item : split_list(spec)) {
    const std::size_t eq = item.find('=');
    CTC_CHECK_INPUT(eq != std::string::npos && eq > 0 && eq + 1 < item.size(), "--weights: '", item,
                    "' is not MODEL=FILE");
    const std::string model = item.substr(0, eq);
    CTC_CHECK_INPUT(std::find(models.begin(), models.end(), model) != models.end(), "--weights: '", model,
                    "' is not among the models to train (", join(models), ")");
    CTC_CHECK_INPUT(files.emplace(model, item.substr(eq + 1)).second, "--weights: ", model, " is named twice");
  }
  return files;
}

}  // namespace

// torchvision's published ImageNet files (torchvision/models/*.py, the weights enums).
std::string published_weights_name(const std::string& model) {
  static const std::map<std::string, std::string> kPublished = {
      {"resnet18", "resnet18-f37072fd.pth"},
      {"resnet34", "resnet34-b627a593.pth"},
      {"resnet50", "resnet50-0676ba61.pth"},
      {"densenet121", "densenet121-a639ec97.pth"},
      {"efficientnet_b4", "efficientnet_b4_rwightman-23ab8bcd.pth"},
  };
  const auto it = kPublished.find(model);
  return it == kPublished.end() ? "" : it->second;
}

std::map<std::string, std::string> weights_files(const std::string& spec, const std::vector<std::string>& models) {
  std::map<std::string, std::string> files;
  if (spec.empty()) return files;
  std::vector<std::string> problems;  // every one at once: a lab fixes its folder in one go
  std::error_code ec;
  if (is_pair_list(spec)) {
    files = parse_pairs(spec, models);
    for (const auto& m : models) {
      if (!files.count(m)) {
        problems.push_back("--weights: no file for " + m + " (every model of the grid starts from ImageNet weights, "
                           "or none does)");
      }
    }
  } else if (fs::is_directory(spec, ec)) {
    for (const auto& m : models) {
      std::string problem;
      const std::string file = file_in_folder(spec, m, problem);
      if (problem.empty()) files[m] = file;
      else problems.push_back(problem);
    }
  } else {
    CTC_CHECK_INPUT(fs::exists(spec, ec), spec, ": weights file or folder not found");
    CTC_CHECK_INPUT(models.size() == 1, "--weights ", spec, ": one file for ", models.size(), " models (", join(models),
                    "); give a folder holding a file per model, or MODEL=FILE,...");
    files[models.front()] = spec;
  }
  for (const auto& [m, file] : files) {
    if (!fs::is_regular_file(file, ec)) problems.push_back(file + ": weights file for " + m + " not found");
  }
  if (!problems.empty()) {
    std::string msg;
    for (const auto& p : problems) msg += (msg.empty() ? "" : "\n") + p;
    throw Error(msg);
  }
  return files;
}

}  // namespace ctcscope
