// ctcscope forward: one raw input tensor through a network, the logits out;
// with --train-step also one training step (loss, gradients, weights after
// AdamW). It is how ctcscope is held against PyTorch on the same weights.
#include <cinttypes>
#include <cstdio>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "models/weight_import.h"
#include "optim/adamw.h"
#include "tools/commands.h"

namespace ctcscope::cli {

namespace {

const Tensor& find_tensor(const SafetensorsContents& c, const std::string& name, const std::string& path) {
  for (const auto& e : c.tensors) {
    if (e.name == name) return e.tensor;
  }
  throw UsageError(detail::concat(path, ": has no tensor named '", name, "'"));
}

}  // namespace

int run_forward(const Argv& argv) {
  Args args("forward",
            "Runs the tensor named \"input\" of a safetensors file ([N,3,H,W], H and W at least 32)\n"
            "through a network in eval mode and writes the logits (\"logits\" [N,classes]).\n"
            "With --train-step: train mode, one forward, cross-entropy (mean) against the tensor\n"
            "\"labels\" (i64 [N]), backward and one AdamW step; the output also holds \"loss\" [1]\n"
            "(\"logits\" are then the train-mode ones),\n"
            "each parameter's gradient \"grad.<name>\" and its value after the step \"param.<name>\".\n"
            "--weights takes torch.save files (.pth, zip or legacy) and safetensors files with\n"
            "torchvision's names; without it the network is initialised from --seed.");
  AdamWOptions adamw;
  args.option("model", "NAME", "resnet50", "architecture (see ctcscope models)");
  args.option("weights", "FILE", "", "state_dict to import (.pth or .safetensors)");
  args.option("input", "FILE", "", "safetensors file with \"input\" (and \"labels\" for --train-step)");
  args.option("output", "FILE", "", "safetensors file to write");
  args.option("classes", "N", "",
              "classes of the network (default: the weights' head, else 1000); another number than the "
              "weights' replaces their head by a fresh one from --seed");
  args.flag("train-step", "one training step instead of the eval-mode forward");
  args.option("lr", "RATE", "0.001", "AdamW learning rate (torch default)");
  args.option("weight-decay", "W", "0.01", "AdamW weight decay (torch default)");
  args.option("beta1", "B", "0.9", "AdamW beta1 (torch default)");
  args.option("beta2", "B", "0.999", "AdamW beta2 (torch default)");
  args.option("eps", "E", "1e-08", "AdamW eps (torch default)");
  args.option("seed", "N", "0", "seed of the initial weights, or of the new head");
  args.flag("allow-unknown", "skip weight-file entries the model does not have (and list them)");
  args.flag("allow-missing", "keep the model's values for entries the weight file lacks (and list them)");
  add_threads_option(args);
  args.example("ctcscope forward --model resnet50 --weights resnet50-0676ba61.pth --input x.safetensors "
               "--output y.safetensors");
  args.example("ctcscope forward --model resnet18 --weights resnet18.pth --input batch.safetensors "
               "--output step.safetensors --train-step --lr 1e-4");
  if (!args.parse(argv)) return 0;
  apply_threads_option(args);

  const std::string model_name = args.get("model");
  usage_check(is_model_name(model_name), "unknown model '", model_name, "' (see ctcscope models)");
  const std::string input_path = args.get("input"), output_path = args.get("output");
  usage_check(!input_path.empty(), "--input is required");
  usage_check(!output_path.empty(), "--output is required");
  const std::string weights_path = args.get("weights");
  const bool train_step = args.has("train-step");
  const auto seed = static_cast<std::uint64_t>(args.get_int("seed", 0, INT64_MAX));
  adamw.lr = args.get_double("lr", 0.0, 10.0);
  adamw.weight_decay = args.get_double("weight-decay", 0.0, 10.0);
  adamw.beta1 = args.get_double("beta1", 0.0, 1.0);
  adamw.beta2 = args.get_double("beta2", 0.0, 1.0);
  adamw.eps = args.get_double("eps", 0.0, 1.0);

  // The input first: a wrong file fails before a large network is built.
  SafetensorsContents in = read_safetensors(input_path);
  Tensor x = find_tensor(in, "input", input_path);
  if (x.dtype() == DType::f64) x = x.to(DType::f32);
  usage_check(x.dtype() == DType::f32, input_path, ": 'input' must be f32 or f64, got ", dtype_name(x.dtype()));

  StateDict weights;
  std::int64_t weight_classes = 0;
  if (!weights_path.empty()) {
    weights = read_state_dict(weights_path);
    weight_classes = state_dict_head_classes(weights, model_head_name(model_name));
  }
  std::int64_t classes = weight_classes > 0 ? weight_classes : 1000;
  if (!args.get("classes").empty()) classes = args.get_int("classes", 2, 1000000);

  auto model = make_model(model_name, classes, seed);
  if (!weights_path.empty()) {
    ImportOptions options;
    options.source = weights_path;
    options.model = model_name;
    options.allow_unknown = args.has("allow-unknown");
    options.allow_missing = args.has("allow-missing");
    options.replace_head = weight_classes > 0 && weight_classes != classes;
    options.head_seed = seed;
    std::fputs(import_state_dict(*model, weights, options).summary().c_str(), stdout);
  } else {
    std::printf("%s: initialised from seed %" PRIu64 " (no --weights)\n", model_name.c_str(), seed);
  }

  StateDict out;
  if (!train_step) {
    model->eval();
    out.push_back({"logits", model->forward(x)});
  } else {
    const Tensor& labels = find_tensor(in, "labels", input_path);
    usage_check(labels.dtype() == DType::i64 && labels.dim() == 1 && labels.size(0) == x.size(0), input_path,
                ": 'labels' must be i64 [", x.size(0), "], got ", labels.describe());
    for (double v : labels.to_double_vector()) {
      usage_check(v >= 0 && v < static_cast<double>(classes), input_path, ": label ", v, " is outside [0, ",
                  classes, ")");
    }
    model->train();
    model->zero_grad();
    AdamW optimizer(model->named_parameters(), adamw);
    CrossEntropyLoss criterion;
    Tensor logits = model->forward(x);
    const double loss = criterion.forward(logits, labels);
    model->backward(criterion.backward());
    out.push_back({"logits", logits});
    out.push_back({"loss", Tensor::from_vector(std::vector<float>{static_cast<float>(loss)}, {1})});
    for (auto& [name, p] : model->named_parameters()) out.push_back({"grad." + name, p->grad.clone()});
    optimizer.step();
    for (auto& [name, p] : model->named_parameters()) out.push_back({"param." + name, p->value});
    std::printf("loss %.6f, one AdamW step (lr %g, weight decay %g)\n", loss, adamw.lr, adamw.weight_decay);
  }
  write_safetensors(output_path, out, {{"model", model_name}, {"mode", train_step ? "train-step" : "eval"}});
  std::printf("wrote %s: %zu tensors, logits %s\n", output_path.c_str(), out.size(),
              out[0].tensor.shape_str().c_str());
  return 0;
}

}  // namespace ctcscope::cli
