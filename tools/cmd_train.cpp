// ctcscope train: one training run of the paper's protocol into a run folder.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string>

#include "kernels/cpu/context.h"
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
  args.positional("DATASET_DIR", "a folder with manifest.csv (ctcscope synth or ctcscope index make one)");
  args.option("out", "RUN_DIR", "", "the run folder (required)");
  add_training_options(args, TrainingCommand::train);
  args.flag("resume", "continue the run in RUN_DIR from its last.safetensors");
  add_threads_option(args);
  args.example("ctcscope train data/synth --out runs/r50 --model resnet50 --epochs 30");
  args.example("ctcscope train data/synth --out runs/quick --model resnet18 --input 64 --max-cells 300 --epochs 3");
  args.example("ctcscope train data/synth --out runs/r50 --weights weights/resnet50-0676ba61.pth");
  args.example("ctcscope train data/synth --out runs/r50 --resume");
  args.example("ctcscope train data/synth --out runs/r50 --target-sensitivity 0.99  # threshold for 99% of CTCs");
  args.example("ctcscope train data/synth --out runs/r50 --weights weights/resnet50-0676ba61.pth --device cuda");
  args.example(
      "ctcscope train data/synth --out runs/quick --model resnet18 --input 64 --max-cells 300 --epochs 1 "
      "--profile runs/quick_profile.csv");
  if (!args.parse(argv)) return 0;
  usage_check(!args.get("out").empty(), "missing --out RUN_DIR");
  apply_threads_option(args);
  TrainConfig c = training_options(args, TrainingCommand::train);
  c.dataset_dir = args.get_positional("DATASET_DIR");
  c.out_dir = args.get("out");
  if (!c.weights.empty()) c.weights = weights_files(c.weights, {c.model}).at(c.model);

  std::string command_line = "ctcscope train";
  for (const auto& a : argv) command_line += " " + a;
  std::printf("train: %s on %s, %s, %lld epochs, batch %lld, input %lldx%lld, AdamW lr %g%s, device %s, %d CPU threads\n",
              c.model.c_str(), c.dataset_dir.c_str(), ablation_name(c.ablation), static_cast<long long>(c.epochs),
              static_cast<long long>(c.batch), static_cast<long long>(c.input_size),
              static_cast<long long>(c.input_size), c.lr,
              !args.has("lr") ? (c.weights.empty() ? " (from scratch: a working rate, not the paper's 1e-7)"
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
  std::printf("train: %s: %s\n", run_status_name(out.status), out.message.c_str());
  if (out.status == RunStatus::diverged) return 1;
  if (out.best_epoch > 0) {
    std::printf("best checkpoint: %s/best.safetensors (epoch %lld, validation macro F1 %.4f)\n", out.run_dir.c_str(),
                static_cast<long long>(out.best_epoch), out.best_val_macro_f1);
    if (!out.operating_points.empty()) std::printf("operating points: %s\n", out.operating_points.c_str());
    std::printf("test it: ctcscope eval %s/best.safetensors %s --split-file %s/split.csv\n", out.run_dir.c_str(),
                c.dataset_dir.c_str(), out.run_dir.c_str());
  }
  return 0;
}

}  // namespace ctcscope::cli
