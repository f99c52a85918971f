// Weight import: copies a state_dict (torchvision's parameter names, e.g. the
// ImageNet .pth files torchvision publishes) into a model, checking every
// name and shape, BatchNorm running statistics and num_batches_tracked
// included, and optionally replacing the classifier head by a fresh one.
//
// timm's EfficientNets (efficientnet_b4 and kin; a file holding
// "conv_stem.weight") name the same tensors otherwise (conv_stem, blocks.S.B.conv_pw,
// se.conv_reduce, conv_head, classifier ...): they are read under torchvision's
// names. timm's DenseNets use torchvision's names.
//
// timm's ResNets (resnet18/34/50, safetensors on the Hugging Face hub) use the
// same names as torchvision: conv1, bn1, layer1.0.conv1 ... layer4.N.bn3,
// layerK.0.downsample.0/.1, fc (timm's act1, maxpool and global_pool hold no
// parameters), so their files import unchanged and need no name mapping.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "layers/module.h"
#include "formats/state_dict.h"

namespace ctcscope {

struct ImportOptions {
  // The name errors and the report give the source by (usually its path).
  std::string source = "state_dict";
  // File entries the model does not have are skipped instead of an error.
  bool allow_unknown = false;
  // Model entries the file does not have keep their values instead of an error.
  bool allow_missing = false;
  // Skip the file's head (`head`.weight / .bias, e.g. ImageNet's 1000 classes)
  // and initialise the model's head afresh from head_seed: as a model built by
  // make_model(model, classes, head_seed) has it when `model` is given, else
  // as nn.Linear's default (each parameter from Seed{"init.<name>", 0, head_seed}).
  bool replace_head = false;
  std::uint64_t head_seed = 0;
  // The registry name of the model ("densenet121"); when given and `head` is
  // empty, the head is model_head_name(model).
  std::string model;
  // The classifier's module name; empty: model_head_name(model), or "fc"
  // (torchvision's ResNets) when no model is given.
  std::string head;
};

// What an import did, for the command line to print.
struct ImportReport {
  std::string source;
  std::int64_t imported = 0;                   // entries copied into the model
  std::int64_t renamed = 0;                    // entries read under torchvision's name (see below)
  std::string renamed_from;                    // "timm's EfficientNet names", "torchvision's legacy DenseNet names"
  std::vector<std::string> converted;          // entries converted (f64 -> f32, i32 -> i64)
  std::vector<std::string> unknown;            // file entries the model lacks (skipped)
  std::vector<std::string> missing;            // model entries the file lacks (kept)
  std::vector<std::string> head_replaced;      // model entries freshly initialised
  std::string head_note;                       // "fc: 1000 -> 2 classes, initialised ... from seed 0"
  // A few lines: counts, then each skipped, missing or replaced entry.
  std::string summary() const;
};

// Copies `state` into `model` by name. Throws ctcscope::Error, naming the
// source and the entry, on a shape mismatch, an element type that cannot be
// converted or a NaN/infinity (with its flat index) (always), and on an
// unknown or missing entry (unless allowed). torchvision's legacy DenseNet
// names ("denselayer1.norm.1.weight", as in densenet121-a639ec97.pth) are
// read as the current ones ("denselayer1.norm1.weight"), as torchvision does.
// A missing num_batches_tracked is tolerated and reported as PyTorch does
// (it only matters for BatchNorm with momentum=None). Nothing is copied
// unless every check passes.
ImportReport import_state_dict(Module& model, const StateDict& state, const ImportOptions& options = {});

// Reads a weight file of any format read_state_dict knows, then imports it;
// options.source defaults to the path.
ImportReport import_weights(Module& model, const std::string& path, ImportOptions options = {});

// The number of classes of the head in a state_dict (rows of "<head>.weight"),
// or 0 when it has none.
std::int64_t state_dict_head_classes(const StateDict& state, const std::string& head = "fc");

}  // namespace ctcscope
