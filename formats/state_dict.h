// A state_dict: named tensors in file order, as PyTorch's model.state_dict(),
// and the weight-file formats that hold one: safetensors (read and write)
// and PyTorch's torch.save files (read: the zip archive and the legacy
// pickle stream, through a restricted unpickler that executes nothing;
// written: the zip archive).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "tensor/tensor.h"

namespace ctcscope {

struct StateDictEntry {
  std::string name;
  Tensor tensor;  // CPU; f16/bf16 in the file arrive as f32, integers as i64/i32
};
using StateDict = std::vector<StateDictEntry>;

// The "__metadata__" string map of a safetensors file.
using Metadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  StateDict tensors;
  Metadata metadata;
};

SafetensorsContents read_safetensors(const std::string& path);
// Written to a temporary name in the same folder, flushed, then renamed.
void write_safetensors(const std::string& path, const StateDict& tensors, const Metadata& metadata = {});

// A torch.save file of a state_dict (zip or legacy). Where the file name has
// torchvision's hash prefix (name-XXXXXXXX.pth) the sha256 prefix is checked.
StateDict read_pth(const std::string& path);
// The zip format of torch.save (a state_dict torch.load reads), atomically;
// f32, f64, i64 and i32 tensors, under 4 GiB in all.
void write_pth(const std::string& path, const StateDict& tensors);

// torchvision's hash prefix of a file name (HASH_REGEX r"-([a-f0-9]*)\." with
// 8 or more digits, as in resnet50-0676ba61.pth), or "" when it has none.
std::string torchvision_hash_prefix(const std::string& path);
// Where the name has a hash prefix, the file's sha256 must begin with it;
// otherwise an error names the file, both hashes and calls the file corrupt.
void check_torchvision_hash_prefix(const std::string& path);

// Either format, told apart by the file's first bytes.
StateDict read_state_dict(const std::string& path);

}  // namespace ctcscope
