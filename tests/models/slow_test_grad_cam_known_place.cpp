// Grad-CAM finds a cue whose place is known. Generated cells: a disk of
// random size, brightness and position on a noisy background, the same for
// both classes; class 1 ("CTC") alone carries a small bright spot near the
// top-left corner. A ResNet18 trained on them can only tell the classes by
// the spot, so its CTC map must put its mass in the top-left quadrant.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "layers/cross_entropy_loss.h"
#include "models/grad_cam.h"
#include "models/resnet.h"
#include "optim/adamw.h"

namespace ctcscope {
namespace {

constexpr std::int64_t kSize = 64;  // ResNet18's last block is then 2x2: one cell per quadrant

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
    const double cx = 32 + 12 * (shape.uniform(0) - 0.5), cy = 32 + 12 * (shape.uniform(1) - 0.5);
    const double radius = 10 + 6 * shape.uniform(2), level = 0.5 + 0.3 * shape.uniform(3);
    const std::int64_t sx = 3 + static_cast<std::int64_t>(8 * shape.uniform(4));
    const std::int64_t sy = 3 + static_cast<std::int64_t>(8 * shape.uniform(5));
    for (std::int64_t y = 0; y < kSize; ++y) {
      for (std::int64_t x = 0; x < kSize; ++x) {
        const bool in_cell = std::hypot(double(x) - cx, double(y) - cy) < radius;
        const bool in_spot = ctc && x >= sx && x < sx + 5 && y >= sy && y < sy + 5;
        double v = in_spot ? 1.0 : in_cell ? level : 0.3;
        v += 0.05 * noise.normal(static_cast<std::uint64_t>(y * kSize + x));
        for (std::int64_t c = 0; c < 3; ++c) {
          px[static_cast<std::size_t>(((i * 3 + c) * kSize + y) * kSize + x)] = static_cast<float>((v - 0.45) / 0.25);
        }
      }
    }
  }
  return {Tensor::from_vector(px, {n, 3, kSize, kSize}), Tensor::from_vector(labels, {n})};
}

Tensor rows(const Tensor& t, std::int64_t start, std::int64_t count) { return t.narrow0(start, count).clone(); }

TEST(GradCamKnownPlace, TheCtcMapSitsOnTheCornerSpot) {
  // Bounds: the held-out calls must be nearly all right (else the network
  // did not learn the spot and the map means nothing), and the CTC maps'
  // mean share of mass in the top-left quadrant must exceed 0.5 (chance 0.25).
  constexpr std::int64_t kTrain = 128, kBatch = 16, kEpochs = 4, kTest = 32;
  constexpr double kMinAccuracy = 0.9, kMinQuadrantShare = 0.5;
  const Cells train = make_cells(kTrain, "known_place.train");
  const Cells test = make_cells(kTest, "known_place.test");
  ResNet net(kResNet18, 2, 11);
  AdamW optimizer(net.named_parameters(), AdamWOptions{});
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

  const Tensor maps = grad_cam(net, test.images, 1);
  double share_sum = 0;
  for (std::int64_t i = 1; i < kTest; i += 2) {
    double total = 0, corner = 0;
    for (std::int64_t y = 0; y < kSize; ++y) {
      for (std::int64_t x = 0; x < kSize; ++x) {
        const double v = maps.item((i * kSize + y) * kSize + x);
        total += v;
        if (x < kSize / 2 && y < kSize / 2) corner += v;
      }
    }
    share_sum += total > 0 ? corner / total : 0.0;  // an empty map counts as missing the spot
  }
  const double mean_share = share_sum / (kTest / 2);
  EXPECT_GT(mean_share, kMinQuadrantShare) << "the CTC maps' mean share of mass in the spot's quadrant";
  std::printf("known place: %d/%lld test cells right, CTC maps' mean share in the top-left quadrant %.3f\n", correct,
              static_cast<long long>(kTest), mean_share);
}

}  // namespace
}  // namespace ctcscope
