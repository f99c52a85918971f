// The paper's four architectures (densenet121, efficientnet_b4, resnet50,
// resnet34) at 148x148, batch 16, on the CPU backend: eval-mode inference and
// a full train step (forward, cross-entropy, backward, AdamW). Prints images
// per second as items_per_second, named BM_<model>_Inference / _TrainStep;
// bench/compare_models_cpu.sh runs it beside torchvision in the same run.
#include <benchmark/benchmark.h>

#include <string>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kSize = 148;   // the paper's input
constexpr std::int64_t kBatch = 16;
const char* const kModels[] = {"densenet121", "efficientnet_b4", "resnet50", "resnet34"};

void inference(benchmark::State& state, const std::string& name) {
  auto model = make_model(name, 2);
  model->eval();
  Tensor x = random_normal({kBatch, 3, kSize, kSize}, Seed{"bench.x"});
  for (auto _ : state) {
    Tensor logits = model->forward(x);
    benchmark::DoNotOptimize(logits.raw_data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void train_step(benchmark::State& state, const std::string& name) {
  auto model = make_model(name, 2);
  model->train();
  AdamW optimizer(model->named_parameters(), AdamWOptions{});
  CrossEntropyLoss criterion;
  Tensor x = random_normal({kBatch, 3, kSize, kSize}, Seed{"bench.x"});
  Tensor labels = Tensor::empty({kBatch}, DType::i64);
  for (std::int64_t i = 0; i < kBatch; ++i) labels.data<std::int64_t>()[i] = i % 2;
  for (auto _ : state) {
    model->zero_grad();
    double loss = criterion.forward(model->forward(x), labels);
    model->backward(criterion.backward());
    optimizer.step();
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

void register_all() {
  for (const char* m : kModels) {
    const std::string name = m;
    benchmark::RegisterBenchmark(("BM_" + name + "_Inference").c_str(),
                                 [name](benchmark::State& s) { inference(s, name); })
        ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(5.0);
    benchmark::RegisterBenchmark(("BM_" + name + "_TrainStep").c_str(),
                                 [name](benchmark::State& s) { train_step(s, name); })
        ->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(8.0);
  }
}

}  // namespace
}  // namespace ctcscope

int main(int argc, char** argv) {
  ctcscope::register_all();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
