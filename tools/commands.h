// The ctcscope subcommands: one file each (tools/cmd_<name>.cpp), listed in
// kCommands. A command parses its arguments with Args, calls the library and
// prints; it throws UsageError for bad usage and ctcscope::Error otherwise.
#pragma once

#include <string>
#include <vector>

#include "tools/args.h"

namespace ctcscope::cli {

using Argv = std::vector<std::string>;

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const Argv& argv);
};

int run_demo_train(const Argv& argv);
int run_models(const Argv& argv);
int run_index(const Argv& argv);
int run_synth(const Argv& argv);
int run_forward(const Argv& argv);

inline constexpr Command kCommands[] = {
    {"demo-train", "train a network on generated cells, print the falling loss and held-out calls", run_demo_train},
    {"index", "build a dataset's manifest.csv from a ctc/ and leukocyte/ folder layout", run_index},
    {"models", "list the architectures and their parameter counts", run_models},
    {"synth", "write the generated DEPArray-like dataset (BF and DAPI images, manifest.csv)", run_synth},
    {"forward", "run an input tensor through a network (or one training step) and write the results", run_forward},
};

// --threads N, shared by every command that computes.
void add_threads_option(Args& args);
void apply_threads_option(const Args& args);

inline constexpr const char* kVersion = "0.1.0";

}  // namespace ctcscope::cli
