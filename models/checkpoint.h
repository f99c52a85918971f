// ctcscope's own checkpoints: a safetensors file holding the model's
// state_dict (parameters and BatchNorm buffers, torchvision's names) and, in
// its metadata, what it takes to use the model again: architecture, class
// names, input size, normalisation, the training configuration, the software
// and format versions, and a sha256 of the tensor payload checked on load.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"
#include "formats/state_dict.h"

namespace ctcscope {

// The format this build writes, and the newest it reads.
inline constexpr int kCheckpointFormatVersion = 1;
// The input sizes a checkpoint may name: as train_config accepts.
inline constexpr std::int64_t kMinInputSize = 32;
inline constexpr std::int64_t kMaxInputSize = 1024;

struct CheckpointInfo {
  std::string architecture;               // a make_model name: "resnet50"
  std::vector<std::string> classes;       // in logit order: {"leukocyte", "ctc"}
  std::int64_t input_size = 148;          // height = width of the network input
  std::array<double, 3> mean{0.485, 0.456, 0.406};  // ImageNet normalisation (torchvision)
  std::array<double, 3> std{0.229, 0.224, 0.225};
  std::string training_config = "{}";     // free-form JSON object of key = value
  // The intensity stage images went through (data/intensity.h, with dataset
  // mode's fitted levels); "none" in checkpoints from before the stage.
  std::string intensity = "none";
  // Chosen on the validation split when the trainer saves the checkpoint
  // (train/operating_points.h): the thresholds as a JSON object, and the
  // temperature that calibrates the CTC probability. Checkpoints from before
  // them: no thresholds ("", callers use 0.5) and T = 1 (uncalibrated).
  std::string operating_points;
  double temperature = 1;
  // Filled in by save_checkpoint; read back by load_checkpoint.
  std::string software_version;
  int format_version = kCheckpointFormatVersion;
};

// The sha256 of the tensor payload: over the entries sorted by name, each as
// "<name>\n<dtype>\n<shape>\n" followed by its raw little-endian bytes. It
// covers names, shapes and values, and not the order in the file.
std::string checkpoint_payload_sha256(const StateDict& tensors);

// Writes model.state_dict() with `info` as metadata, atomically (a temporary
// name in the same folder, then a rename).
void save_checkpoint(const std::string& path, Module& model, const CheckpointInfo& info);

struct Checkpoint {
  std::unique_ptr<Module> model;  // built by make_model, weights imported, eval mode
  CheckpointInfo info;
};

// The file read and verified (metadata parsed, format version accepted,
// payload sha256 equal to the recorded one), before any model is built.
struct VerifiedCheckpointFile {
  CheckpointInfo info;
  StateDict tensors;
};
VerifiedCheckpointFile read_checkpoint_file(const std::string& path);

// Reads the metadata, rejects a format version newer than this build's,
// verifies the payload sha256, builds the model with make_model and imports
// the weights (every entry must match). Errors name the file.
Checkpoint load_checkpoint(const std::string& path);

// The metadata alone (no payload check, no model).
CheckpointInfo checkpoint_info_from_metadata(const Metadata& metadata, const std::string& path);

}  // namespace ctcscope
