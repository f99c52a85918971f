// ctcscope models: the architectures and their parameter counts.
#include <cstdio>

#include "models/registry.h"
#include "tools/commands.h"

namespace ctcscope::cli {

int run_models(const Argv& argv) {
  Args args("models", "Lists the architectures ctcscope builds, with their parameter counts\n"
                      "for a 2-class head.");
  if (!args.parse(argv)) return 0;
  for (const auto& name : model_names()) {
    auto model = make_model(name, 2);
    std::printf("%-16s %10lld parameters\n", name.c_str(), static_cast<long long>(model->parameter_count()));
  }
  return 0;
}

}  // namespace ctcscope::cli
