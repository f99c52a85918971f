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

template <class Sync>
void model_inference(benchmark::State& state, const std::string& name, std::int64_t batch,
                     Device device, Sync sync) {
  auto model = make_model(name, 2);
  model->to_device(device);
  model->eval();
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"}).to_device(device);
  for (auto _ : state) {
    Tensor logits = model->forward(x);
    sync();
    benchmark::DoNotOptimize(logits.raw_data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

template <class Sync>
void model_train_step(benchmark::State& state, const std::string& name, std::int64_t batch,
                      Device device, Sync sync) {
  auto model = make_model(name, 2);
  model->to_device(device);
  model->train();
  AdamW optimizer(model->named_parameters(), AdamWOptions{});
  CrossEntropyLoss criterion;
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"}).to_device(device);
  Tensor labels = Tensor::empty({batch}, DType::i64);
  for (std::int64_t i = 0; i < batch; ++i) labels.data<std::int64_t>()[i] = i % 2;
  labels = labels.to_device(device);
  for (auto _ : state) {
    model->zero_grad();
    double loss = criterion.forward(model->forward(x), labels);
    model->backward(criterion.backward());
    optimizer.step();
    sync();
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

}  // namespace ctcscope::bench
