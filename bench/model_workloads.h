// The two workloads the model benchmarks time, on either backend: eval-mode
// inference and a full train step (forward, cross-entropy, backward, AdamW)
// of one of the paper's four networks at 148x148, 2 classes. `sync` waits for
// the device after each iteration (a no-op on the CPU), so the GPU's work is
// timed and not only its launches.
#pragma once

#include <benchmark/benchmark.h>

#include <string>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tensor/random.h"

namespace ctcscope::bench {

constexpr std::int64_t kSize = 148;  // the paper's input
inline const char* const kPaperModels[] = {"densenet121", "efficientnet_b4", "resnet50", "resnet34"};

// A network of 2 classes, moved to `device`.
inline std::unique_ptr<Module> model_on(const std::string& name, Device device) {
  auto model = make_model(name, 2);
  model->to_device(device);
  return model;
}

template <class Sync>
void model_inference(benchmark::State& state, const std::string& name, std::int64_t batch,
                     Device device, Sync sync) {
  auto model = model_on(name, device);
  model->eval();
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"}).to_device(device);
  for (auto _ : state) {
    Tensor logits = model->forward(x);
    sync();
    benchmark::DoNotOptimize(logits.raw_data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

// One network's full train step on a fixed batch: forward, cross-entropy,
// backward, AdamW. The benchmark times it; --profile (bench/model_profile.h)
// profiles it per layer.
struct TrainStep {
  TrainStep(const std::string& name, std::int64_t batch, Device device)
      : model(model_on(name, device)), optimizer(model->named_parameters(), AdamWOptions{}) {
    model->train();
    x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"}).to_device(device);
    labels = Tensor::empty({batch}, DType::i64);
    for (std::int64_t i = 0; i < batch; ++i) labels.data<std::int64_t>()[i] = i % 2;
    labels = labels.to_device(device);
  }
  // Returns the loss.
  double run() {
    model->zero_grad();
    double loss = criterion.forward(model->forward(x), labels);
    model->backward(criterion.backward());
    optimizer.step();
    return loss;
  }

  std::unique_ptr<Module> model;
  AdamW optimizer;
  CrossEntropyLoss criterion;
  Tensor x, labels;
};

template <class Sync>
void model_train_step(benchmark::State& state, const std::string& name, std::int64_t batch,
                      Device device, Sync sync) {
  TrainStep step(name, batch, device);
  for (auto _ : state) {
    double loss = step.run();
    sync();
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

}  // namespace ctcscope::bench
