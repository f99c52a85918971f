// The training options' flags, from the one table (train/train_options.h).
#include <algorithm>

#include "tools/commands.h"
#include "train/train_options.h"

namespace ctcscope::cli {

namespace {

using Takes = std::function<bool(const TrainOption&)>;

Takes of_command(TrainingCommand command) {
  return [command](const TrainOption& o) {
    return o.commands == OptionCommands::train_and_experiment ||
           (o.commands == OptionCommands::train_only && command == TrainingCommand::train);
  };
}

Takes of_keys(const std::vector<std::string>& keys) {
  return [keys](const TrainOption& o) { return std::find(keys.begin(), keys.end(), o.key) != keys.end(); };
}

void add(Args& args, const Takes& takes) {
  const TrainConfig defaults;
  for (const TrainOption& o : train_options()) {
    if (!takes(o)) continue;
    if (o.default_help) {
      args.option(o.flag, o.value_name, "", o.help + " (default " + o.default_help + ")");
    } else {
      args.option(o.flag, o.value_name, o.get(defaults), o.help);
    }
  }
}

TrainConfig read(const Args& args, const Takes& takes) {
  TrainConfig c;
  for (const TrainOption& o : train_options()) {
    if (!takes(o) || !args.has(o.flag)) continue;
    try {
      o.set(c, args.get(o.flag));
    } catch (const Error& e) {
      throw UsageError(std::string("--") + o.flag + ": " + e.what());
    }
  }
  for (const TrainOption& o : train_options()) {
    if (takes(o) && !args.has(o.flag) && o.default_from_others) o.default_from_others(c);
  }
  return c;
}

}  // namespace

void add_training_options(Args& args, TrainingCommand command) { add(args, of_command(command)); }
TrainConfig training_options(const Args& args, TrainingCommand command) { return read(args, of_command(command)); }

void add_training_options(Args& args, const std::vector<std::string>& keys) { add(args, of_keys(keys)); }
TrainConfig training_options(const Args& args, const std::vector<std::string>& keys) {
  return read(args, of_keys(keys));
}

}  // namespace ctcscope::cli
