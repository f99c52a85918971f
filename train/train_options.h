// The training options, each declared once: its config.json key, its flag,
// type, range or names, help, and whether it is part of the run's identity
// (what --resume compares). config.json in and out, TrainConfig::validate and
// the flags of `ctcscope train` and `ctcscope experiment` all follow this
// table; a new option is a TrainConfig field and a row in train_options.cpp.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "train/train_config.h"

namespace ctcscope {

// How config.json holds the value.
enum class OptionType { text, integer, real };

// Which command lines take the option as a flag.
enum class OptionCommands {
  train_and_experiment,
  train_only,  // the experiment sets it per run (ablation, seed)
  none,        // not a flag: positional (dataset_dir), per command (out_dir), fixed (loader_threads)
};

struct TrainOption {
  const char* key;         // config.json
  const char* flag;        // --flag, without the dashes
  const char* value_name;  // N, RATE, NAME, ... in the help
  OptionType type;
  OptionCommands commands;
  bool identity;           // a resumed run must have the same value
  std::string help;        // the flag's help; Args adds the default
  // The value as its flag spells it ("cosine", "0.001", "-1").
  std::function<std::string(const TrainConfig&)> get;
  // Parses and checks the flag's spelling into the config; throws Error
  // saying what is wrong ("must be in [1, 4096], got 0"), the caller names it.
  std::function<void(TrainConfig&, const std::string&)> set;
  // A key added after runs were recorded: the value that means the old
  // behaviour. A config.json without the key reads as it, and while it holds
  // this value the key stays out of identity_json, so those runs still resume.
  // nullptr: the key has always been written.
  const char* before_the_key = nullptr;
  // The default when the command line does not give it, where it depends on
  // other options (lr: on --weights); empty: TrainConfig's default.
  std::function<void(TrainConfig&)> default_from_others;
  const char* default_help = nullptr;  // that default in words, for the help
};

const std::vector<TrainOption>& train_options();

// A real option's spelling: 17 significant digits, so the double reads back exactly.
std::string option_number(double v);

}  // namespace ctcscope
