// The demo training run, the main job until the data pipeline lands: a
// network learns to tell generated "cells" apart by size (a large bright disk,
// CTC-like, against a small one, leukocyte-like, at random places and
// brightness in noise), each step on a fresh generated batch, then calls a
// held-out generated set. It proves that forward, backward, cross-entropy and
// AdamW fit together on this machine, and shows the loss falling.
#pragma once

#include <cstdint>
#include <string>

#include "tensor/tensor.h"

namespace ctcscope::cli {

struct DemoTrainOptions {
  std::string model = "resnet18";
  std::int64_t steps = 40;
  std::int64_t batch = 16;
  std::int64_t size = 64;
  double lr = 1e-3;
  std::uint64_t seed = 0;
  std::int64_t heldout = 64;  // generated cells called after training
};

struct DemoTrainResult {
  double first_loss = 0, last_loss = 0;
  double images_per_second = 0;  // training
  std::int64_t heldout_correct = 0;
};

// Generated cells number `first` to `first + N - 1` of a stream: images
// [N,3,size,size] (gray replicated to 3 channels), labels [N] (1 = large).
void draw_demo_cells(const std::string& stream, std::int64_t first, std::uint64_t seed, Tensor& images,
                     Tensor& labels);

DemoTrainResult demo_train(const DemoTrainOptions& options, bool print);

}  // namespace ctcscope::cli
