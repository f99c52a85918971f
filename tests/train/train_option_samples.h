// A valid value other than the default for every training option, as its
// flag spells it: the table-driven option tests set each one. A new option
// needs one here (the tests say so).
#pragma once

#include <map>
#include <string>

namespace ctcscope::test {

inline const std::map<std::string, std::string>& option_samples() {
  static const std::map<std::string, std::string> samples = {
      {"dataset_dir", "data/other"}, {"out_dir", "runs/other"},   {"model", "resnet18"},
      {"ablation", "AUG1"},          {"augment_mode", "online"},  {"epochs", "7"},
      {"batch", "4"},                {"lr", "0.00050000000000000001"}, {"weight_decay", "0.5"},
      {"lr_schedule", "cosine"},     {"input_size", "64"},        {"intensity", "range:0:4095"},
      {"bf_channel", "red"},         {"dapi_channel", "blue"},    {"bf_page", "2"},
      {"dapi_page", "0"},            {"seed", "3"},               {"split_seed", "4"},
      {"weights", "w \"q\".pth"},    {"split", "stratified"},     {"class_weights", "balanced"},
      {"patience", "0"},             {"max_cells", "100"},        {"device", "cuda"},
      {"deterministic", "true"},     {"target_sensitivity", "0.90000000000000002"},
      {"loader_threads", "3"},
      {"profile", "runs/profile.csv"},
  };
  return samples;
}

}  // namespace ctcscope::test
