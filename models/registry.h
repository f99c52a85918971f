// The model registry: every architecture ctcscope can build, by name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "layers/module.h"

namespace ctcscope {

// "resnet18", "resnet34", "resnet50", "densenet121", "efficientnet_b4".
std::vector<std::string> model_names();
bool is_model_name(const std::string& name);

// A freshly initialised network with `num_classes` outputs; an unknown name
// is an error that lists the known ones.
std::unique_ptr<Module> make_model(const std::string& name, std::int64_t num_classes,
                                   std::uint64_t seed = 0);

// The classifier's module name, torchvision's: "fc" in the ResNets,
// "classifier" in DenseNet121, "classifier.1" in EfficientNet-B4 (after its
// Dropout). Weight import replaces the parameters under "<head>.".
std::string model_head_name(const std::string& name);

// Re-initialises the head of `net`, a model built by make_model(name, ...),
// as make_model(name, classes, seed) initialises it (torchvision's init).
void model_reset_head(const std::string& name, Module& net, std::uint64_t seed);

}  // namespace ctcscope
