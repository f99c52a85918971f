// --device cpu|cuda: where a training command runs its network.
#include "tools/commands.h"

namespace ctcscope::cli {

void add_device_option(Args& args) {
  args.option("device", "NAME", "cpu", "cpu, or cuda: train on the GPU (a build with the CUDA backend)");
}

Device device_option(const Args& args) {
  const std::string name = args.get("device");
  usage_check(name == "cpu" || name == "cuda", "--device must be cpu or cuda, got '", name, "'");
  return name == "cuda" ? Device::cuda : Device::cpu;
}

}  // namespace ctcscope::cli
