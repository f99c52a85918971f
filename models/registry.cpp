// The model registry.
#include "models/registry.h"

#include "models/densenet.h"
#include "models/efficientnet.h"
#include "models/resnet.h"

namespace ctcscope {

static const ResNetSpec* find_resnet(const std::string& name) {
  for (const ResNetSpec* spec : {&kResNet18, &kResNet34, &kResNet50}) {
    if (name == spec->name) return spec;
  }
  return nullptr;
}

std::vector<std::string> model_names() {
  return {"resnet18", "resnet34", "resnet50", kDenseNet121.name, kEfficientNetB4.name};
}

bool is_model_name(const std::string& name) {
  return find_resnet(name) != nullptr || name == kDenseNet121.name || name == kEfficientNetB4.name;
}

std::unique_ptr<Module> make_model(const std::string& name, std::int64_t num_classes,
                                   std::uint64_t seed) {
  if (const ResNetSpec* spec = find_resnet(name)) return std::make_unique<ResNet>(*spec, num_classes, seed);
  if (name == kDenseNet121.name) return std::make_unique<DenseNet>(kDenseNet121, num_classes, seed);
  if (name == kEfficientNetB4.name) return std::make_unique<EfficientNet>(kEfficientNetB4, num_classes, seed);
  std::string known;
  for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
  CTC_FAIL("unknown model '", name, "' (known: ", known, ")");
}

std::string model_head_name(const std::string& name) {
  if (find_resnet(name)) return "fc";
  if (name == kDenseNet121.name) return "classifier";
  if (name == kEfficientNetB4.name) return "classifier.1";
  CTC_FAIL("unknown model '", name, "'");
}

void model_reset_head(const std::string& name, Module& net, std::uint64_t seed) {
  Module* m = &net;
  if (find_resnet(name)) {
    if (auto* r = dynamic_cast<ResNet*>(m)) return r->reset_head(seed);
  } else if (name == kDenseNet121.name) {
    if (auto* d = dynamic_cast<DenseNet*>(m)) return d->reset_head(seed);
  } else if (name == kEfficientNetB4.name) {
    if (auto* e = dynamic_cast<EfficientNet*>(m)) return e->reset_head(seed);
  }
  CTC_FAIL("model_reset_head: the network is not a ", name, " (", net.describe(), ")");
}

}  // namespace ctcscope
