// ResNet50 at 148x148, batch 32, on the GPU (Device::cuda), TF32 as the
// default: eval-mode inference and a full train step (forward, cross-entropy,
// backward, fused AdamW). Prints images per second as items_per_second.
// Without a GPU every benchmark stops with the reason (SkipWithError).
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>

#include "layers/cross_entropy_loss.h"
#include "models/registry.h"
#include "optim/adamw.h"
#include "tensor/device.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kSize = 148;

bool have_gpu(benchmark::State& state) {
  std::string why;
  if (cuda_device_count(&why) > 0) return true;
  state.SkipWithError(("needs a CUDA GPU: " + why).c_str());
  return false;
}

void BM_ResNet50_Cuda_Inference(benchmark::State& state) {
  if (!have_gpu(state)) return;
  const std::int64_t batch = state.range(0);
  auto model = make_model("resnet50", 2);
  model->to_device(Device::cuda);
  model->eval();
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"}).to_device(Device::cuda);
  for (auto _ : state) {
    Tensor logits = model->forward(x);
    cudaDeviceSynchronize();  // time the GPU's work, not the launches
    benchmark::DoNotOptimize(logits.raw_data());
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

void BM_ResNet50_Cuda_TrainStep(benchmark::State& state) {
  if (!have_gpu(state)) return;
  const std::int64_t batch = state.range(0);
  auto model = make_model("resnet50", 2);
  model->to_device(Device::cuda);
  model->train();
  AdamW optimizer(model->named_parameters(), AdamWOptions{});
  CrossEntropyLoss criterion;
  Tensor x = random_normal({batch, 3, kSize, kSize}, Seed{"bench.x"}).to_device(Device::cuda);
  Tensor labels = Tensor::empty({batch}, DType::i64);
  for (std::int64_t i = 0; i < batch; ++i) labels.data<std::int64_t>()[i] = i % 2;
  labels = labels.to_device(Device::cuda);
  for (auto _ : state) {
    model->zero_grad();
    double loss = criterion.forward(model->forward(x), labels);
    model->backward(criterion.backward());
    optimizer.step();
    cudaDeviceSynchronize();
    benchmark::DoNotOptimize(loss);
  }
  state.SetItemsProcessed(state.iterations() * batch);
}

BENCHMARK(BM_ResNet50_Cuda_Inference)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResNet50_Cuda_TrainStep)->Arg(32)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ctcscope

BENCHMARK_MAIN();
