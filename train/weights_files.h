// Which ImageNet weights file each architecture starts from, from one
// --weights value (train and experiment). The paper pretrains all four
// networks of Table 2, so the value can name a file per model: a folder of
// torchvision's published files (each found by its name), or MODEL=FILE pairs
// for files named otherwise (timm's model.safetensors).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ctcscope {

// `spec` is
//   ""                         every model from scratch (an empty map);
//   FILE                       one file, when `models` holds one model;
//   DIR                        each model's file in DIR: the one whose name is the
//                              model's followed by '-' or '_' and ends .pth or
//                              .safetensors (resnet50-0676ba61.pth,
//                              efficientnet_b4_rwightman-23ab8bcd.pth);
//   MODEL=FILE[,MODEL=FILE...] a file per model.
// Returns model -> file with an entry for every model. Throws, naming the
// folder or file and the model, when a model has no file, has two candidates
// in DIR, a named file does not exist, or a pair names a model not in `models`.
std::map<std::string, std::string> weights_files(const std::string& spec, const std::vector<std::string>& models);

// torchvision's published file for a model ("resnet50-0676ba61.pth"), "" if none.
std::string published_weights_name(const std::string& model);

}  // namespace ctcscope
