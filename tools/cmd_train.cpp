// ctcscope train: one training run of the paper's protocol into a run folder.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "data/expansion.h"
#include "kernels/cpu/context.h"
#include "models/registry.h"
#include "tools/commands.h"
#include "train/trainer.h"
#include "train/weights_files.h"

namespace ctcscope::cli {

namespace {

std::string format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "?";
  char buf[32];
  const long t = static_cast<long>(s + 0.5);
  if (t >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t / 60) % 60);
  else std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  return buf;
}

}  // namespace

int run_train(const Argv& argv) {
  Args args("train",
            "Trains a network on a dataset's training split with the paper's protocol:\n"
            "AdamW, cross-entropy, the training set expanded by the ablation (Table 1/3;\n"
            "BF_DAPI: BF + three augmented BF + DAPI per cell), validation every epoch, the\n"
            "checkpoint with the best validation macro F1 kept. RUN_DIR receives config.json,\n"
            "split.csv, metrics.csv, best.safetensors, last.safetensors and run.json; an\n"
            "interrupted run continues with --resume. Without --lr the rate is the paper's\n"
            "1e-7 when --weights is given (fine-tuning ImageNet weights) and 1e-3 from scratch.");
  TrainConfig c;
  args.option("out", "RUN_DIR", "", "the run folder (required)");
  args.option("model", "NAME", c.model, "architecture (see ctcscope models)");
  args.option("ablation", "NAME", ablation_name(c.ablation),
              "training-set expansion: AUG1 AUG2 BF_noDAPI BF_DAPI_noAUG BF_DAPI DAPI_noBF DAPI_BF");
  args.option("augment", "MODE", "offline", "offline (fixed augmented copies, the paper) or online (fresh each epoch)");
  args.option("epochs", "N", std::to_string(c.epochs), "epochs at most");
  args.option("batch", "N", std::to_string(c.batch), "images per step");
  args.option("lr", "RATE", "", "AdamW learning rate (default: 1e-7 with --weights, 1e-3 from scratch)");
  args.option("weight-decay", "W", "0.01", "AdamW weight decay");
  args.option("lr-schedule", "NAME", c.lr_schedule, "constant or cosine (to 0 at the last step)");
  args.option("input", "PIXELS", std::to_string(c.input_size), "network input height = width");
  args.option("intensity", "MODE", c.intensity,
              "how samples map to [0, 1]: percentile[:LO:HI] (per image), dataset[:LO:HI] (per channel over the "
              "training cells), range:LO:HI (counts, e.g. range:0:4095), none (count / max of the bit depth)");
  args.option("seed", "N", "0", "seed of the weights, the data order and the augmentation");
  args.option("split-seed", "N", "0", "seed of the split and of --max-cells (fixed across seeds, as the paper)");
  args.option("weights", "FILE|DIR", "",
              "ImageNet weights to start from (.pth or .safetensors; DIR: the model's file in it); head replaced");
  args.option("split", "KIND", "paper", "paper, stratified, or a cell_id,split CSV file");
  args.option("class-weights", "KIND", c.class_weights, "none or balanced (n / (2 * count) per class)");
  args.option("patience", "N", std::to_string(c.patience), "stop after N epochs without a better val macro F1 (0: never)");
  args.option("max-cells", "N", "0", "use a stratified seeded subsample of N cells (quick CPU runs; 0: all)");
  args.flag("resume", "continue the run in RUN_DIR from its last.safetensors");
  add_threads_option(args);
  add_device_option(args);
  args.example("ctcscope train data/synth --out runs/r50 --model resnet50 --epochs 30");
  args.example("ctcscope train data/synth --out runs/quick --model resnet18 --input 64 --max-cells 300 --epochs 3");
  args.example("ctcscope train data/synth --out runs/r50 --weights weights/resnet50-0676ba61.pth");
  args.example("ctcscope train data/synth --out runs/r50 --resume");
  args.example("ctcscope train data/synth --out runs/r50 --weights weights/resnet50-0676ba61.pth --device cuda");
  std::string dataset;
  Argv rest = argv;
  if (!rest.empty() && !rest.front().empty() && rest.front()[0] != '-') {
    dataset = rest.front();
    rest.erase(rest.begin());
  }
  if (!args.parse(rest)) return 0;
  usage_check(!dataset.empty(), "missing DATASET_DIR (ctcscope train DATASET_DIR --out RUN_DIR [options])");
  usage_check(!args.get("out").empty(), "missing --out RUN_DIR");
  apply_threads_option(args);
  c.dataset_dir = dataset;
  c.out_dir = args.get("out");
  c.model = args.get("model");
  usage_check(is_model_name(c.model), "unknown model '", c.model, "' (see ctcscope models)");
  try {
    c.ablation = ablation_from_name(args.get("ablation"));
    c.augment_mode = augment_mode_from_name(args.get("augment"));
  } catch (const Error& e) {
    throw UsageError(e.what());
  }
  c.epochs = args.get_int("epochs", 1, 100000);
  c.batch = args.get_int("batch", 1, 4096);
  c.weights = args.get("weights");
  if (!c.weights.empty()) c.weights = weights_files(c.weights, {c.model}).at(c.model);
  c.lr = args.get("lr").empty() ? (c.weights.empty() ? 1e-3 : 1e-7) : args.get_double("lr", 1e-12, 10.0);
  c.weight_decay = args.get_double("weight-decay", 0.0, 10.0);
  c.lr_schedule = args.get("lr-schedule");
  usage_check(c.lr_schedule == "constant" || c.lr_schedule == "cosine", "--lr-schedule must be constant or cosine, got '",
              c.lr_schedule, "'");
  c.input_size = args.get_int("input", 32, 1024);
  c.intensity = args.get("intensity");
  c.seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
  c.split_seed = static_cast<std::uint64_t>(args.get_int("split-seed", 0, INT64_MAX));
  c.split = args.get("split");
  c.class_weights = args.get("class-weights");
  usage_check(c.class_weights == "none" || c.class_weights == "balanced",
              "--class-weights must be none or balanced, got '", c.class_weights, "'");
  c.patience = args.get_int("patience", 0, 100000);
  c.max_cells = args.get_int("max-cells", 0, INT64_MAX);
  c.loader_threads = 2;
  c.device = device_option(args);

  std::string command_line = "ctcscope train";
  for (const auto& a : argv) command_line += " " + a;
  std::printf("train: %s on %s, %s, %lld epochs, batch %lld, input %lldx%lld, AdamW lr %g%s, device %s, %d CPU threads\n",
              c.model.c_str(), c.dataset_dir.c_str(), ablation_name(c.ablation), static_cast<long long>(c.epochs),
              static_cast<long long>(c.batch), static_cast<long long>(c.input_size),
              static_cast<long long>(c.input_size), c.lr,
              args.get("lr").empty() ? (c.weights.empty() ? " (from scratch: a working rate, not the paper's 1e-7)"
                                                          : " (the paper's, for fine-tuning)")
                                     : "",
              device_name(c.device), cpu::num_threads());
  const bool tty = isatty(fileno(stdout)) != 0;
  bool line_open = false;
  TrainHooks hooks;
  hooks.on_message = [&](const std::string& line) {
    if (line_open) std::printf("\n");
    line_open = false;
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };
  hooks.on_step = [&](const TrainProgress& p) {
    char buf[256];
    std::snprintf(buf, sizeof buf, "epoch %lld/%lld  step %lld/%lld  %.1f images/s  loss %.4f  ETA %s",
                  static_cast<long long>(p.epoch), static_cast<long long>(p.epochs), static_cast<long long>(p.step),
                  static_cast<long long>(p.steps), p.images_per_second, p.loss, format_duration(p.eta_seconds).c_str());
    if (tty) {
      std::printf("\r%-100s", buf);
      line_open = true;
    } else {
      // Plain lines: about ten per epoch, and the last step.
      const std::int64_t every = std::max<std::int64_t>(1, p.steps / 10);
      if (p.step % every != 0 && p.step != p.steps) return;
      std::printf("%s\n", buf);
    }
    std::fflush(stdout);
  };
  const TrainOutcome out = train_run(c, args.has("resume"), command_line, hooks);
  if (line_open) std::printf("\n");
  std::printf("train: %s: %s\n", out.status.c_str(), out.message.c_str());
  if (out.status == "diverged") return 1;
  if (out.best_epoch > 0) {
    std::printf("best checkpoint: %s/best.safetensors (epoch %lld, validation macro F1 %.4f)\n", out.run_dir.c_str(),
                static_cast<long long>(out.best_epoch), out.best_val_macro_f1);
    std::printf("test it: ctcscope eval %s/best.safetensors %s --split-file %s/split.csv\n", out.run_dir.c_str(),
                c.dataset_dir.c_str(), out.run_dir.c_str());
  }
  return 0;
}

}  // namespace ctcscope::cli
