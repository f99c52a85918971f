// The ctcscope command: parses arguments, calls the library, prints. Every
// ctcscope::Error becomes one line on stderr and exit status 1; bad usage
// exits with 2.
#include <cstdio>
#include <string>
#include <vector>

#include "kernels/cpu/context.h"
#include "models/registry.h"
#include "tools/args.h"
#include "tools/demo_train.h"

namespace ctcscope::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

void print_usage() {
  std::printf(
      "ctcscope %s: tells circulating tumor cells from leukocytes in bright-field images\n\n"
      "usage: ctcscope <command> [options]    (ctcscope <command> --help for each)\n\n"
      "commands:\n"
      "  demo-train   train a network on generated cells, print the falling loss and held-out calls\n"
      "  models       list the architectures and their parameter counts\n"
      "  version      print the version\n",
      kVersion);
}

void add_threads_option(Args& args) {
  args.option("threads", "N", "", "CPU threads (default: OMP_NUM_THREADS or all cores)");
}

void apply_threads_option(const Args& args) {
  if (!args.get("threads").empty()) cpu::set_num_threads(static_cast<int>(args.get_int("threads", 1, 1024)));
}

int run_demo_train(const std::vector<std::string>& argv) {
  Args args("demo-train",
            "Trains a network to tell generated cells apart by size (a large bright disk,\n"
            "CTC-like, from a small one, leukocyte-like, at random places and brightness in\n"
            "noise) with AdamW and cross-entropy, on a fresh generated batch each step,\n"
            "printing the loss; then calls a held-out set of generated cells. The main job\n"
            "until the data pipeline lands.");
  DemoTrainOptions o;
  args.option("model", "NAME", o.model, "architecture (see ctcscope models)");
  args.option("steps", "N", std::to_string(o.steps), "training steps");
  args.option("batch", "N", std::to_string(o.batch), "images in the batch");
  args.option("size", "PIXELS", std::to_string(o.size), "image height and width (at least 32)");
  args.option("lr", "RATE", "0.001", "AdamW learning rate");
  args.option("seed", "N", "0", "seed of the weights and the generated data");
  args.option("heldout", "N", std::to_string(o.heldout), "held-out generated cells to call after training");
  add_threads_option(args);
  args.example("ctcscope demo-train");
  args.example("ctcscope demo-train --model resnet50 --size 148 --batch 16 --steps 5");
  if (!args.parse(argv)) return 0;
  apply_threads_option(args);
  o.model = args.get("model");
  usage_check(is_model_name(o.model), "unknown model '", o.model, "' (see ctcscope models)");
  o.steps = args.get_int("steps", 1, 1000000);
  o.batch = args.get_int("batch", 1, 4096);
  o.size = args.get_int("size", 32, 4096);
  o.lr = args.get_double("lr", 0.0, 10.0);
  o.heldout = args.get_int("heldout", 1, 1000000);
  o.seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
  demo_train(o, true);
  return 0;
}

int run_models(const std::vector<std::string>& argv) {
  Args args("models", "Lists the architectures ctcscope builds, with their parameter counts\n"
                      "for a 2-class head.");
  if (!args.parse(argv)) return 0;
  for (const auto& name : model_names()) {
    auto model = make_model(name, 2);
    std::printf("%-12s %10lld parameters\n", name.c_str(), static_cast<long long>(model->parameter_count()));
  }
  return 0;
}

}  // namespace
}  // namespace ctcscope::cli

int main(int argc, char** argv) {
  using namespace ctcscope::cli;
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_usage();
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "demo-train") return run_demo_train(args);
    if (command == "models") return run_models(args);
    if (command == "version" || command == "--version") {
      std::printf("ctcscope %s\n", kVersion);
      return 0;
    }
    std::fprintf(stderr, "ctcscope: unknown command '%s' (see ctcscope --help)\n", command.c_str());
    return 2;
  } catch (const UsageError& e) {
    std::fprintf(stderr, "ctcscope %s: %s\n", command.c_str(), e.what());
    return 2;
  } catch (const ctcscope::Error& e) {
    std::fprintf(stderr, "ctcscope %s: error: %s\n", command.c_str(), e.what());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ctcscope %s: unexpected error: %s\n", command.c_str(), e.what());
    return 1;
  }
}
