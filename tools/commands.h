// The ctcscope subcommands: one file each (tools/cmd_<name>.cpp), listed in
// kCommands. A command parses its arguments with Args, calls the library and
// prints; it throws UsageError for bad usage and ctcscope::Error otherwise.
#pragma once

#include <string>
#include <vector>

#include "tools/args.h"
#include "train/train_config.h"

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
int run_stats(const Argv& argv);
int run_train(const Argv& argv);
int run_eval(const Argv& argv);
int run_predict(const Argv& argv);
int run_experiment(const Argv& argv);
int run_inspect(const Argv& argv);
int run_export(const Argv& argv);

inline constexpr Command kCommands[] = {
    {"synth", "write the generated DEPArray-like dataset (BF and DAPI images, manifest.csv)", run_synth},
    {"inspect", "what a dataset's images hold (bit depth, range used, clipping) and a contact sheet", run_inspect},
    {"index", "build a dataset's manifest.csv from a ctc/ and leukocyte/ folder layout", run_index},
    {"train", "train a network on a dataset with the paper's protocol into a run folder (resumable)", run_train},
    {"eval", "a checkpoint's metrics on a run's test split or on every cell of a manifest", run_eval},
    {"predict", "CTC probabilities and calls for new cells' BF images, as CSV", run_predict},
    {"experiment", "the paper's grid (ablations or architectures x seeds), tables of mean +- std", run_experiment},
    {"export", "a checkpoint as a torchvision state_dict (safetensors) and its preprocessing (JSON)", run_export},
    {"stats", "statistics between two samples of scores (Shapiro-Wilk, Levene, Mann-Whitney U, t tests)", run_stats},
    {"models", "list the architectures and their parameter counts", run_models},
    {"forward", "run an input tensor through a network (or one training step) and write the results", run_forward},
    {"demo-train", "train a network on generated cells, print the falling loss and held-out calls", run_demo_train},
};

// --threads N, shared by every command that computes.
void add_threads_option(Args& args);
void apply_threads_option(const Args& args);

// The training options (train/train_options.h) as flags: train takes each
// one; experiment those it does not set per run (ablation, seed).
enum class TrainingCommand { train, experiment };
void add_training_options(Args& args, TrainingCommand command);
// The options given, checked (a bad value is a UsageError naming the flag);
// the others keep TrainConfig's defaults, or their default from others (lr).
TrainConfig training_options(const Args& args, TrainingCommand command);
// Only the options with these config.json keys (inspect: how images are read).
void add_training_options(Args& args, const std::vector<std::string>& keys);
TrainConfig training_options(const Args& args, const std::vector<std::string>& keys);
inline const std::vector<std::string> kImageReadingKeys = {"intensity", "bf_channel", "dapi_channel", "bf_page",
                                                           "dapi_page"};

inline constexpr const char* kVersion = "0.1.0";

}  // namespace ctcscope::cli
