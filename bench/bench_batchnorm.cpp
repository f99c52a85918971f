// Speed of the memory-bound CPU ops on ResNet50's activations at batch 16 and
// a 148x148 input: batch norm (train forward, backward, eval), ReLU, max pool,
// add, and one sweep over every such op of a ResNet50 forward and backward.
// GB/s counts the bytes each op must move at least (each tensor read or written once).
#include <benchmark/benchmark.h>

#include <cstring>
#include <vector>

#include "kernels/activation.h"
#include "kernels/batchnorm.h"
#include "kernels/elementwise.h"
#include "kernels/linear.h"
#include "kernels/pool.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

// Stem output, layer1 output, layer4 output of ResNet50 at 148x148, batch 16.
const std::vector<Shape> kShapes = {{16, 64, 74, 74}, {16, 256, 37, 37}, {16, 2048, 5, 5}};

void set_gbps(benchmark::State& st, const Shape& shape, double bytes) {
  st.SetLabel(shape_str(shape));
  st.counters["GB/s"] = benchmark::Counter(bytes * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

struct BnTensors {
  Tensor x, gamma, beta, rm, rv, y, mean, invstd, dy, dx, dgamma, dbeta;
  explicit BnTensors(const Shape& s) {
    const std::int64_t C = s[1];
    x = random_normal(s, Seed{"bench.bn.x"}, 0.5, 2.0);
    dy = random_normal(s, Seed{"bench.bn.dy"});
    gamma = Tensor::full({C}, 1.0), beta = Tensor::zeros({C});
    rm = Tensor::zeros({C}), rv = Tensor::full({C}, 1.0);
    y = Tensor::zeros(s), dx = Tensor::zeros(s);
    mean = Tensor::zeros({C}), invstd = Tensor::zeros({C});
    dgamma = Tensor::zeros({C}), dbeta = Tensor::zeros({C});
  }
  void forward() { batchnorm2d_forward_train(x, gamma, beta, {}, rm, rv, y, mean, invstd); }
  void backward() { batchnorm2d_backward(dy, x, gamma, mean, invstd, BatchNormParams{}, dx, dgamma, dbeta); }
};

// Reference: a plain parallel copy of the same tensor, the bandwidth ceiling.
void BM_Copy(benchmark::State& st) {
  const Shape& s = kShapes[st.range(0)];
  Tensor x = random_normal(s, Seed{"bench.copy"}), y = Tensor::zeros(s);
  const float* px = x.data<float>();
  float* py = y.data<float>();
  const std::int64_t n = x.numel();
  for (auto _ : st) {
#pragma omp parallel for schedule(static)
    for (std::int64_t i = 0; i < n; ++i) py[i] = px[i];
    benchmark::ClobberMemory();
  }
  set_gbps(st, s, 8.0 * n);
}

void BM_BatchNormForwardTrain(benchmark::State& st) {
  BnTensors t(kShapes[st.range(0)]);
  for (auto _ : st) t.forward();
  set_gbps(st, t.x.shape(), 8.0 * t.x.numel());  // read x, write y
}

void BM_BatchNormBackward(benchmark::State& st) {
  BnTensors t(kShapes[st.range(0)]);
  t.forward();
  for (auto _ : st) t.backward();
  set_gbps(st, t.x.shape(), 12.0 * t.x.numel());  // read dy and x, write dx
}

void BM_BatchNormForwardInfer(benchmark::State& st) {
  BnTensors t(kShapes[st.range(0)]);
  for (auto _ : st) batchnorm2d_forward_infer(t.x, t.gamma, t.beta, t.rm, t.rv, {}, t.y);
  set_gbps(st, t.x.shape(), 8.0 * t.x.numel());
}

void BM_ReluForwardInPlace(benchmark::State& st) {
  const Shape& s = kShapes[st.range(0)];
  Tensor x = random_normal(s, Seed{"bench.relu"});
  for (auto _ : st) relu_forward(x, x);
  set_gbps(st, s, 8.0 * x.numel());
}

void BM_ReluBackward(benchmark::State& st) {
  const Shape& s = kShapes[st.range(0)];
  Tensor y = random_normal(s, Seed{"bench.relu.y"}), dy = random_normal(s, Seed{"bench.relu.dy"});
  Tensor dx = Tensor::zeros(s);
  for (auto _ : st) relu_backward(dy, y, dx);
  set_gbps(st, s, 12.0 * y.numel());
}

void BM_AddInPlace(benchmark::State& st) {
  const Shape& s = kShapes[st.range(0)];
  Tensor x = random_normal(s, Seed{"bench.add.x"}), y = random_normal(s, Seed{"bench.add.y"});
  for (auto _ : st) add_inplace(x, y);
  set_gbps(st, s, 12.0 * x.numel());
}

// ResNet's stem pool: 3x3, stride 2, padding 1, on [16,64,74,74].
Pool2dParams stem_pool() {
  Pool2dParams p;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = 2;
  p.pad_h = p.pad_w = 1;
  return p;
}

void BM_MaxPoolForward(benchmark::State& st) {
  const Shape s = kShapes[0];
  const Shape out = pool2d_output_shape(s, stem_pool());
  Tensor x = random_normal(s, Seed{"bench.maxpool"}), y = Tensor::zeros(out);
  Tensor idx = Tensor::zeros(out, DType::i32);
  for (auto _ : st) maxpool2d_forward(x, stem_pool(), y, idx);
  set_gbps(st, s, 4.0 * x.numel() + 8.0 * y.numel());  // read x, write y and indices
}

void BM_MaxPoolBackward(benchmark::State& st) {
  const Shape s = kShapes[0];
  const Shape out = pool2d_output_shape(s, stem_pool());
  Tensor x = random_normal(s, Seed{"bench.maxpool"}), y = Tensor::zeros(out);
  Tensor idx = Tensor::zeros(out, DType::i32), dx = Tensor::zeros(s);
  maxpool2d_forward(x, stem_pool(), y, idx);
  for (auto _ : st) maxpool2d_backward(y, idx, stem_pool(), dx);
  set_gbps(st, s, 4.0 * x.numel() + 8.0 * y.numel());  // read dy and indices, write dx
}

// Every batch norm, ReLU, residual add and pool of ResNet50 (torchvision's
// Bottleneck, stride in the 3x3 conv) at batch 16 and 148x148, each with its
// own tensors as in a real pass. The convolutions are not here: in backward
// each batch norm takes its own dy where a convolution would hand one over.
struct ResNet50Ops {
  struct Block {
    std::size_t bn1, bn2, bn3, identity;  // identity: the downsample BN, or the previous bn3
    bool downsample;
  };
  std::vector<BnTensors> bns;  // bns[0] is the stem
  std::vector<Block> blocks;
  Tensor pool_y, pool_idx, pool_dx, gap_y, dgap, fc_w, fc_b, logits, dlogits, dw, db;

  std::size_t add_bn(const Shape& s) {
    bns.emplace_back(s);
    return bns.size() - 1;
  }

  ResNet50Ops() {
    const std::int64_t N = 16;
    bns.reserve(64);
    add_bn({N, 64, 74, 74});
    struct Stage { std::int64_t planes, blocks, in, out; };
    std::size_t previous = 0;
    for (const Stage& s : {Stage{64, 3, 37, 37}, Stage{128, 4, 37, 19}, Stage{256, 6, 19, 10},
                           Stage{512, 3, 10, 5}}) {
      for (std::int64_t b = 0; b < s.blocks; ++b) {
        const std::int64_t in = b == 0 ? s.in : s.out;
        Block k;
        k.bn1 = add_bn({N, s.planes, in, in});
        k.bn2 = add_bn({N, s.planes, s.out, s.out});
        k.bn3 = add_bn({N, 4 * s.planes, s.out, s.out});
        k.downsample = b == 0;
        k.identity = k.downsample ? add_bn({N, 4 * s.planes, s.out, s.out}) : previous;
        blocks.push_back(k);
        previous = k.bn3;
      }
    }
    const Shape out = pool2d_output_shape(bns[0].x.shape(), stem_pool());
    pool_y = Tensor::zeros(out), pool_idx = Tensor::zeros(out, DType::i32);
    pool_dx = Tensor::zeros(bns[0].x.shape());
    gap_y = Tensor::zeros({N, 2048}), dgap = Tensor::zeros({N, 2048});
    fc_w = random_normal({2, 2048}, Seed{"bench.fc"}, 0.0, 0.02), fc_b = Tensor::zeros({2});
    logits = Tensor::zeros({N, 2}), dlogits = random_normal({N, 2}, Seed{"bench.dlogits"});
    dw = Tensor::zeros({2, 2048}), db = Tensor::zeros({2});
  }

  void bn_relu_forward(BnTensors& t) {
    t.forward();
    relu_forward(t.y, t.y);
  }
  void relu_bn_backward(BnTensors& t) {
    relu_backward(t.dy, t.y, t.dy);
    t.backward();
  }

  void forward() {
    bn_relu_forward(bns[0]);
    maxpool2d_forward(bns[0].y, stem_pool(), pool_y, pool_idx);
    for (const Block& k : blocks) {
      bn_relu_forward(bns[k.bn1]);
      bn_relu_forward(bns[k.bn2]);
      bns[k.bn3].forward();
      if (k.downsample) bns[k.identity].forward();
      Tensor& y = bns[k.bn3].y;
      add(y, bns[k.identity].y, y);
      relu_forward(y, y);
    }
    global_avgpool_forward(bns[blocks.back().bn3].y, gap_y);
    linear_forward(gap_y, fc_w, fc_b, logits);
  }

  void backward() {
    linear_backward_data(dlogits, fc_w, dgap);
    linear_backward_weight(dlogits, gap_y, dw, db);
    global_avgpool_backward(dgap, bns[blocks.back().bn3].dy);
    for (std::size_t b = blocks.size(); b-- > 0;) {
      const Block& k = blocks[b];
      relu_bn_backward(bns[k.bn3]);  // the ReLU after the add, then bn3
      if (k.downsample) {
        bns[k.identity].backward();
      } else {
        add_inplace(bns[k.bn3].dy, bns[k.identity].dy);  // the identity path's gradient
      }
      relu_bn_backward(bns[k.bn2]);
      relu_bn_backward(bns[k.bn1]);
    }
    maxpool2d_backward(pool_y, pool_idx, stem_pool(), pool_dx);
    relu_bn_backward(bns[0]);
  }
};

ResNet50Ops& resnet50_ops() {
  static ResNet50Ops ops;
  return ops;
}

void BM_ResNet50Ops_Forward(benchmark::State& st) {
  ResNet50Ops& ops = resnet50_ops();
  for (auto _ : st) ops.forward();
  st.counters["images/s"] = benchmark::Counter(16, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ResNet50Ops_Backward(benchmark::State& st) {
  ResNet50Ops& ops = resnet50_ops();
  ops.forward();
  for (auto _ : st) ops.backward();
  st.counters["images/s"] = benchmark::Counter(16, benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_Copy)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BatchNormForwardTrain)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BatchNormBackward)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_BatchNormForwardInfer)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReluForwardInPlace)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ReluBackward)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_AddInPlace)->DenseRange(0, 2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MaxPoolForward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_MaxPoolBackward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResNet50Ops_Forward)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ResNet50Ops_Backward)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace ctcscope

BENCHMARK_MAIN();
