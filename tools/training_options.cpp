// The training options' flags, from the one table (train/train_options.h).
#include "train/train_options.h"
#include "tools/commands.h"

namespace ctcscope::cli {

namespace {

bool takes(const TrainOption& o, TrainingCommand command) {
  return o.commands == OptionCommands::train_and_experiment ||
         (o.commands == OptionCommands::train_only && command == TrainingCommand::train);
}

}  // namespace

void add_training_options(Args& args, TrainingCommand command) {
  const TrainConfig defaults;
  for (const TrainOption& o : train_options()) {
    if (!takes(o, command)) continue;
    if (o.default_help) {
      args.option(o.flag, o.value_name, "", o.help + " (default " + o.default_help + ")");
    } else {
      args.option(o.flag, o.value_name, o.get(defaults), o.help);
    }
  }
}

TrainConfig training_options(const Args& args, TrainingCommand command) {
  TrainConfig c;
  for (const TrainOption& o : train_options()) {
    if (!takes(o, command) || !args.has(o.flag)) continue;
    try {
      o.set(c, args.get(o.flag));
    } catch (const Error& e) {
      throw UsageError(std::string("--") + o.flag + ": " + e.what());
    }
  }
  for (const TrainOption& o : train_options()) {
    if (takes(o, command) && !args.has(o.flag) && o.default_from_others) o.default_from_others(c);
  }
  return c;
}

}  // namespace ctcscope::cli
