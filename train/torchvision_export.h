// Back to PyTorch: a ctcscope checkpoint as a torchvision state_dict (its
// names already are torchvision's; the head has the checkpoint's 2 classes)
// in a .pth (torch.save's zip) or safetensors file, and beside it a JSON of everything needed to feed
// the network as ctcscope does: input size, channel, colour pick and page,
// the intensity stage with its fitted levels, resizing, normalisation and
// the classes. `torchvision.models.resnet50(num_classes=2)
// .load_state_dict(torch.load(OUT))` then gives ctcscope's logits
// (tests/train/slow_test_torchvision_export.cpp).
#pragma once

#include <string>

#include "models/checkpoint.h"

namespace ctcscope {

// The preprocessing JSON of a checkpoint (`checkpoint` names it in errors and
// in the JSON's "source").
std::string torchvision_preprocessing_json(const CheckpointInfo& info, const std::string& checkpoint);

// OUT (.pth or .safetensors, by its extension; any other is refused) and
// OUT.json (OUT without its extension), each atomically. Returns the paths.
struct ExportedFiles {
  std::string weights, preprocessing;
};
ExportedFiles export_torchvision(const std::string& checkpoint, const std::string& out);

}  // namespace ctcscope
