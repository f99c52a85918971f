// The demo training run: a network learns a fixed batch of generated tensors
// (random images, random labels) and prints its falling loss. It is the main
// job until the data pipeline lands, and a quick proof that forward, backward
// and AdamW fit together on this machine.
#pragma once

#include <cstdint>
#include <string>

namespace ctcscope::cli {

struct DemoTrainOptions {
  std::string model = "resnet18";
  std::int64_t steps = 30;
  std::int64_t batch = 8;
  std::int64_t size = 64;
  std::int64_t classes = 2;
  double lr = 1e-3;
  std::uint64_t seed = 0;
};

struct DemoTrainResult {
  double first_loss = 0, last_loss = 0;
  double images_per_second = 0;
};

DemoTrainResult demo_train(const DemoTrainOptions& options, bool print);

}  // namespace ctcscope::cli
