// ctcscope demo-train: the main job until the data pipeline lands.
#include <cstdint>

#include "models/registry.h"
#include "tools/commands.h"
#include "tools/demo_train.h"

namespace ctcscope::cli {

int run_demo_train(const Argv& argv) {
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

}  // namespace ctcscope::cli
