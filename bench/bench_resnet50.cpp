// ResNet50 at 148x148 (the paper's input), batch 16, on the CPU backend:
// eval-mode inference and a full train step (forward, cross-entropy,
// backward, AdamW). Prints images per second as items_per_second;
// bench/compare_cpu.sh runs it beside torchvision in the same run.
#include <benchmark/benchmark.h>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kSize = 148;

void BM_ResNet50_Inference(benchmark::State& state) {
  const std::int64_t batch = state.range(0);
  auto model = make_model("resnet50", 2);
  model->eval();
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"});
  for (auto _ : state) {
    Tensor logits = model->forward(x);
    benchmark::DoNotOptimize(logits.raw_data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_ResNet50_TrainStep(benchmark::State& state) {
  const std::int64_t batch = state.range(0);
  auto model = make_model("resnet50", 2);
  model->train();
  AdamW optimizer(model->named_parameters(), AdamWOptions{});
  CrossEntropyLoss criterion;
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"});
  Tensor labels = Tensor::empty({batch}, DType::i64);
  for (std::int64_t i = 0; i < batch; ++i) labels.data<std::int64_t>()[i] = i % 2;
  for (auto _ : state) {
    model->zero_grad();
    double loss = criterion.forward(model->forward(x), labels);
    model->backward(criterion.backward());
    optimizer.step();
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

BENCHMARK(BM_ResNet50_Inference)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);
BENCHMARK(BM_ResNet50_TrainStep)->Arg(16)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(8.0);

}  // namespace
}  // namespace ctcscope

BENCHMARK_MAIN();
