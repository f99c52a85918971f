// Speed of the CPU convolution (im2col + Eigen GEMM) on ResNet50 layer shapes
// at the paper's input, 148x148, batch 16: forward, backward data and backward
// filter per layer in GFLOP/s (2*N*K*C/g*R*S*P*Q flops), and every convolution
// of ResNet50 in one pass, as images per second for eval and for a train step.
#include <benchmark/benchmark.h>

#include <vector>

#include "kernels/conv.h"
#include "tensor/random.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kBatch = 16;  // the training batch of the paper's runs

struct Layer {
  const char* name;
  std::int64_t C, H, W, K, R, S, stride, pad;
  int count = 1;  // how many times ResNet50 has this shape
  std::int64_t groups = 1;
};

// Representative shapes: one per kind of GEMM the network makes.
const std::vector<Layer> kLayers = {
    {"stem_7x7s2_3to64_148", 3, 148, 148, 64, 7, 7, 2, 3},
    {"layer1_1x1_64to64_37", 64, 37, 37, 64, 1, 1, 1, 0},
    {"layer1_3x3_64_37", 64, 37, 37, 64, 3, 3, 1, 1},
    {"layer1_1x1_64to256_37", 64, 37, 37, 256, 1, 1, 1, 0},
    {"layer2_3x3s2_128_37", 128, 37, 37, 128, 3, 3, 2, 1},
    {"layer3_1x1_1024to256_10", 1024, 10, 10, 256, 1, 1, 1, 0},
    {"layer4_3x3_512_5", 512, 5, 5, 512, 3, 3, 1, 1},
    // The other 3x3 stride-1 maps (ResNet34's stages, DenseNet121's 128 to 32
    // growth convolutions): where Winograd may take over from the direct GEMM.
    {"layer2_3x3_128_19", 128, 19, 19, 128, 3, 3, 1, 1},
    {"layer3_3x3_256_10", 256, 10, 10, 256, 3, 3, 1, 1},
    {"dense_3x3_128to32_37", 128, 37, 37, 32, 3, 3, 1, 1},
    {"dense_3x3_128to32_18", 128, 18, 18, 32, 3, 3, 1, 1},
    {"dense_3x3_128to32_9", 128, 9, 9, 32, 3, 3, 1, 1},
    {"dense_3x3_128to32_4", 128, 4, 4, 32, 3, 3, 1, 1},
    // Not ResNet50: EfficientNet-B4's depthwise convolutions (groups == C == K)
    // at 148x148, the shapes that take most of its depthwise time.
    {"effnet_dw3x3s2_144_74", 144, 74, 74, 144, 3, 3, 2, 1, 1, 144},
    {"effnet_dw3x3_192_37", 192, 37, 37, 192, 3, 3, 1, 1, 1, 192},
    {"effnet_dw5x5_336_19", 336, 19, 19, 336, 5, 5, 1, 2, 1, 336},
    {"effnet_dw5x5_960_10", 960, 10, 10, 960, 5, 5, 1, 2, 1, 960},
    {"effnet_dw5x5_1632_5", 1632, 5, 5, 1632, 5, 5, 1, 2, 1, 1632},
};

// Every convolution of torchvision's ResNet50 (stride on the 3x3, v1.5) at 148x148.
const std::vector<Layer> kResNet50 = {
    {"stem", 3, 148, 148, 64, 7, 7, 2, 3, 1},
    // layer1 at 37x37
    {"l1.conv1.first", 64, 37, 37, 64, 1, 1, 1, 0, 1},
    {"l1.conv1", 256, 37, 37, 64, 1, 1, 1, 0, 2},
    {"l1.conv2", 64, 37, 37, 64, 3, 3, 1, 1, 3},
    {"l1.conv3", 64, 37, 37, 256, 1, 1, 1, 0, 3},
    {"l1.downsample", 64, 37, 37, 256, 1, 1, 1, 0, 1},
    // layer2: 37 -> 19
    {"l2.0.conv1", 256, 37, 37, 128, 1, 1, 1, 0, 1},
    {"l2.0.conv2", 128, 37, 37, 128, 3, 3, 2, 1, 1},
    {"l2.downsample", 256, 37, 37, 512, 1, 1, 2, 0, 1},
    {"l2.conv1", 512, 19, 19, 128, 1, 1, 1, 0, 3},
    {"l2.conv2", 128, 19, 19, 128, 3, 3, 1, 1, 3},
    {"l2.conv3", 128, 19, 19, 512, 1, 1, 1, 0, 4},
    // layer3: 19 -> 10
    {"l3.0.conv1", 512, 19, 19, 256, 1, 1, 1, 0, 1},
    {"l3.0.conv2", 256, 19, 19, 256, 3, 3, 2, 1, 1},
    {"l3.downsample", 512, 19, 19, 1024, 1, 1, 2, 0, 1},
    {"l3.conv1", 1024, 10, 10, 256, 1, 1, 1, 0, 5},
    {"l3.conv2", 256, 10, 10, 256, 3, 3, 1, 1, 5},
    {"l3.conv3", 256, 10, 10, 1024, 1, 1, 1, 0, 6},
    // layer4: 10 -> 5
    {"l4.0.conv1", 1024, 10, 10, 512, 1, 1, 1, 0, 1},
    {"l4.0.conv2", 512, 10, 10, 512, 3, 3, 2, 1, 1},
    {"l4.downsample", 1024, 10, 10, 2048, 1, 1, 2, 0, 1},
    {"l4.conv1", 2048, 5, 5, 512, 1, 1, 1, 0, 2},
    {"l4.conv2", 512, 5, 5, 512, 3, 3, 1, 1, 2},
    {"l4.conv3", 512, 5, 5, 2048, 1, 1, 1, 0, 3},
};

Conv2dParams params_of(const Layer& l) {
  Conv2dParams p;
  p.stride_h = p.stride_w = l.stride;
  p.pad_h = p.pad_w = l.pad;
  p.groups = l.groups;
  return p;
}

// The tensors of one layer at batch kBatch, filled once.
struct Operands {
  explicit Operands(const Layer& l) : p(params_of(l)) {
    x = random_normal({kBatch, l.C, l.H, l.W}, Seed{"bench.conv.x"});
    w = random_normal({l.K, l.C / l.groups, l.R, l.S}, Seed{"bench.conv.w"}, 0, 0.05);
    y = Tensor::empty(conv2d_output_shape(x.shape(), w.shape(), p));
    dy = random_normal(y.shape(), Seed{"bench.conv.dy"});
    dx = Tensor::empty(x.shape());
    dw = Tensor::zeros(w.shape());
  }
  double flops() const {
    return 2.0 * kBatch * w.size(0) * w.size(1) * w.size(2) * w.size(3) * y.size(2) * y.size(3);
  }
  Conv2dParams p;
  Tensor x, w, y, dy, dx, dw;
};

// forward: a training step's (the direct sum); inference: an eval forward,
// which may take Winograd (Conv2dParams::fast_inference; CTC_WINOGRAD=0 turns it off).
enum class Pass { forward, inference, backward_data, backward_filter };

void run(Operands& o, Pass pass) {
  switch (pass) {
    case Pass::forward: conv2d_forward(o.x, o.w, o.p, o.y); break;
    case Pass::inference: {
      Conv2dParams p = o.p;
      p.fast_inference = true;
      conv2d_forward(o.x, o.w, p, o.y);
      break;
    }
    case Pass::backward_data: conv2d_backward_data(o.dy, o.w, o.p, o.dx); break;
    case Pass::backward_filter: conv2d_backward_filter(o.dy, o.x, o.p, o.dw); break;
  }
}

void bm_layer(benchmark::State& state, Pass pass) {
  const Layer& l = kLayers[static_cast<std::size_t>(state.range(0))];
  Operands o(l);
  for (auto _ : state) {
    run(o, pass);
    benchmark::ClobberMemory();
  }
  state.SetLabel(l.name);
  state.counters["GFLOP/s"] =
      benchmark::Counter(o.flops() * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Conv2dForward(benchmark::State& state) { bm_layer(state, Pass::forward); }
void BM_Conv2dInference(benchmark::State& state) { bm_layer(state, Pass::inference); }
void BM_Conv2dBackwardData(benchmark::State& state) { bm_layer(state, Pass::backward_data); }
void BM_Conv2dBackwardFilter(benchmark::State& state) { bm_layer(state, Pass::backward_filter); }

// Every ResNet50 convolution once per repeat of its shape; a train step adds
// backward filter everywhere and backward data everywhere but the stem (the
// image needs no gradient).
void bm_resnet50(benchmark::State& state, bool train) {
  std::vector<Operands> ops;
  for (const Layer& l : kResNet50) ops.emplace_back(l);
  auto pass_over_network = [&] {
    double flops = 0;
    for (std::size_t i = 0; i < ops.size(); ++i) {
      for (int rep = 0; rep < kResNet50[i].count; ++rep) {
        run(ops[i], Pass::forward);
        flops += ops[i].flops();
        if (!train) continue;
        if (i > 0) {
          run(ops[i], Pass::backward_data);
          flops += ops[i].flops();
        }
        run(ops[i], Pass::backward_filter);
        flops += ops[i].flops();
      }
    }
    return flops;
  };
  // One untimed pass first: outputs get their pages and the workspace its size.
  double flops = pass_over_network();
  for (auto _ : state) {
    flops = pass_over_network();
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["images/s"] =
      benchmark::Counter(static_cast<double>(kBatch), benchmark::Counter::kIsIterationInvariantRate);
}

void BM_ResNet50ConvsEval(benchmark::State& state) { bm_resnet50(state, false); }
void BM_ResNet50ConvsTrain(benchmark::State& state) { bm_resnet50(state, true); }

const int kLastLayer = static_cast<int>(kLayers.size()) - 1;
BENCHMARK(BM_Conv2dForward)->DenseRange(0, kLastLayer)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv2dInference)->DenseRange(0, kLastLayer)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv2dBackwardData)->DenseRange(0, kLastLayer)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Conv2dBackwardFilter)->DenseRange(0, kLastLayer)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResNet50ConvsEval)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ResNet50ConvsTrain)->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace ctcscope

BENCHMARK_MAIN();
