// Grad-CAM finds a cue whose place is known. Generated 32x32 cells: a disk of
// random size, brightness and position on a noisy background, the same for
// both classes; class 1 ("CTC") alone carries a small bright spot near the
// top-left corner. A small CNN trained on them can only tell the classes by
// the spot, so its CTC map must put its mass in the top-left quadrant.
//
// The network is three 3x3 convolutions (strides 1, 2, 2: an 8x8 last block
// whose positions each see 9x9 pixels) and a pooled linear head. A ResNet18
// trained the same way (64 and 128 px, 2x2 and 4x4 last blocks) called every
// held-out cell right, but its maps were nearly flat: 0.29 and 0.33 of the
// mass in the spot's quadrant. Its last block's four 3x3 convolutions see the
// whole grid from every position, so nothing ties its features to a place;
// the ResNets' Grad-CAM is checked against finite differences instead.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include "layers/conv2d.h"
#include "layers/cross_entropy_loss.h"
#include "layers/linear.h"
#include "layers/pool.h"
#include "layers/relu.h"
#include "layers/sequential.h"
#include "models/grad_cam.h"
#include "optim/adamw.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kSize = 32, kSpot = 3;

class TinyCnn : public ConvClassifier {
 public:
  TinyCnn() {
    features_ = &register_module("features", std::make_unique<Sequential>());
    const std::int64_t channels[4] = {3, 16, 32, 32}, strides[3] = {1, 2, 2};
    for (int i = 0; i < 3; ++i) {
      auto& conv = features_->add(std::make_unique<Conv2d>(channels[i], channels[i + 1], 3, strides[i], 1));
      conv.reset_parameters(Seed{"tiny.conv", static_cast<std::uint64_t>(i)});
      features_->add(std::make_unique<ReLU>());
    }
    pool_ = &register_module("pool", std::make_unique<GlobalAvgPool>());
    fc_ = &register_module("fc", std::make_unique<Linear>(32, 2));
    fc_->reset_parameters(Seed{"tiny.fc"});
  }
  Tensor forward_features(const Tensor& x) override { return features_->forward(x); }
  Tensor backward_features(const Tensor& d) override { return features_->backward(d); }
  Tensor forward_head(const Tensor& f) override { return fc_->forward(pool_->forward(f)); }
  Tensor backward_head(const Tensor& d) override { return pool_->backward(fc_->backward(d)); }
  std::vector<Module*> head_cache_modules() override { return {fc_}; }
  std::string describe() const override { return "TinyCnn"; }

 private:
  Sequential* features_ = nullptr;
  GlobalAvgPool* pool_ = nullptr;
  Linear* fc_ = nullptr;
};

// n cells [n,3,S,S] (three equal channels, centred near 0) and labels
// alternating 0, 1. Seeds differ by `purpose`, so test cells are new cells.
struct Cells {
  Tensor images, labels;
};

Cells make_cells(std::int64_t n, const std::string& purpose) {
  std::vector<float> px(static_cast<std::size_t>(n * 3 * kSize * kSize));
  std::vector<std::int64_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const Philox shape(Seed{purpose + ".shape", static_cast<std::uint64_t>(i)});
    const Philox noise(Seed{purpose + ".noise", static_cast<std::uint64_t>(i)});
    const bool ctc = i % 2 == 1;
    labels[static_cast<std::size_t>(i)] = ctc ? 1 : 0;
    const double cx = 16 + 6 * (shape.uniform(0) - 0.5), cy = 16 + 6 * (shape.uniform(1) - 0.5);
    const double radius = 5 + 3 * shape.uniform(2), level = 0.5 + 0.3 * shape.uniform(3);
    // The spot's corner in [1, 5) on each axis: all of it in the top-left quadrant.
    const auto sx = 1 + static_cast<std::int64_t>(4 * shape.uniform(4));
    const auto sy = 1 + static_cast<std::int64_t>(4 * shape.uniform(5));
    for (std::int64_t y = 0; y < kSize; ++y) {
      for (std::int64_t x = 0; x < kSize; ++x) {
        const bool in_cell = std::hypot(double(x) - cx, double(y) - cy) < radius;
        const bool in_spot = ctc && x >= sx && x < sx + kSpot && y >= sy && y < sy + kSpot;
        double v = in_spot ? 1.3 : in_cell ? level : 0.3;  // the spot: brighter than any cell
        v += 0.05 * noise.normal(static_cast<std::uint64_t>(y * kSize + x));
        for (std::int64_t c = 0; c < 3; ++c) {
          px[static_cast<std::size_t>(((i * 3 + c) * kSize + y) * kSize + x)] = static_cast<float>((v - 0.45) / 0.25);
        }
      }
    }
  }
  return {Tensor::from_vector(px, {n, 3, kSize, kSize}), Tensor::from_vector(labels, {n})};
}

// Per quadrant (top-left, top-right, bottom-left, bottom-right) the mean
// over the CTC cells (odd indices) of its share of each map's mass; an empty
// map counts as no share anywhere.
using QuadrantShares = std::array<double, 4>;
QuadrantShares ctc_quadrant_shares(const Tensor& maps) {
  const std::int64_t n = maps.size(0);
  QuadrantShares mean{};
  for (std::int64_t i = 1; i < n; i += 2) {
    double total = 0;
    QuadrantShares mass{};
    for (std::int64_t y = 0; y < kSize; ++y) {
      for (std::int64_t x = 0; x < kSize; ++x) {
        const double v = maps.item((i * kSize + y) * kSize + x);
        total += v;
        mass[static_cast<std::size_t>((y >= kSize / 2) * 2 + (x >= kSize / 2))] += v;
      }
    }
    for (std::size_t k = 0; k < 4; ++k) mean[k] += total > 0 ? mass[k] / total / static_cast<double>(n / 2) : 0.0;
  }
  return mean;
}

Tensor rows(const Tensor& t, std::int64_t start, std::int64_t count) { return t.narrow0(start, count).clone(); }

TEST(GradCamKnownPlace, TheCtcMapSitsOnTheCornerSpot) {
  // Bounds: the held-out calls must be nearly all right (else the network
  // did not learn the spot and the map means nothing), and the CTC maps'
  // mean share of mass in the top-left quadrant must exceed 0.5 (chance 0.25).
  constexpr std::int64_t kTrain = 256, kBatch = 16, kEpochs = 5, kTest = 64;
  constexpr double kMinAccuracy = 0.9, kMinQuadrantShare = 0.5;
  const Cells train = make_cells(kTrain, "known_place.train");
  const Cells test = make_cells(kTest, "known_place.test");
  TinyCnn net;
  AdamWOptions options;
  options.lr = 3e-3;  // a small network from scratch
  AdamW optimizer(net.named_parameters(), options);
  CrossEntropyLoss criterion;
  net.train();
  for (std::int64_t epoch = 0; epoch < kEpochs; ++epoch) {
    for (std::int64_t start = 0; start < kTrain; start += kBatch) {
      net.zero_grad();
      criterion.forward(net.forward(rows(train.images, start, kBatch)), rows(train.labels, start, kBatch));
      net.backward(criterion.backward());
      optimizer.step();
    }
  }
  net.eval();
  const Tensor logits = net.forward(test.images);
  int correct = 0;
  for (std::int64_t i = 0; i < kTest; ++i) {
    correct += (logits.item(2 * i + 1) > logits.item(2 * i)) == (test.labels.item(i) == 1);
  }
  ASSERT_GE(correct, kMinAccuracy * kTest) << "the network did not learn the spot";

  const QuadrantShares log_odds = ctc_quadrant_shares(grad_cam(net, test.images, kCtcLogOdds));
  const QuadrantShares ctc_logit = ctc_quadrant_shares(grad_cam(net, test.images, {0.0, 1.0}));
  std::printf("known place: %d/%lld test cells right; CTC cells' mean share of map mass per quadrant "
              "(top-left, top-right, bottom-left, bottom-right):\n  log-odds  %.3f %.3f %.3f %.3f\n"
              "  CTC logit %.3f %.3f %.3f %.3f\n",
              correct, static_cast<long long>(kTest), log_odds[0], log_odds[1], log_odds[2], log_odds[3],
              ctc_logit[0], ctc_logit[1], ctc_logit[2], ctc_logit[3]);
  EXPECT_GT(log_odds[0], kMinQuadrantShare) << "the CTC log-odds maps' mean share of mass in the spot's quadrant";
}

}  // namespace
}  // namespace ctcscope
