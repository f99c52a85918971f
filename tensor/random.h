// The seeded random generator: counter-based (Philox4x32-10), keyed by
// (seed, purpose, index). Element i of a draw depends only on that key and i,
// so results do not depend on thread count, batch order or call order.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "tensor/tensor.h"

namespace ctcscope {

// Where a random draw comes from. `purpose` names what is drawn
// ("init.layer1.0.conv1.weight", "shuffle.epoch"), `index` tells repeated
// draws of one purpose apart (an epoch, a cell), `seed` is the run's seed.
struct Seed {
  std::string purpose;
  std::uint64_t index = 0;
  std::uint64_t seed = 0;
};

// Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11).
class Philox {
 public:
  explicit Philox(const Seed& seed);
  // Four independent 32-bit words for counter `block`.
  std::array<std::uint32_t, 4> block(std::uint64_t block) const;
  // Uniform in [0, 1) with 24 random bits (exact in float), for element i.
  double uniform(std::uint64_t i) const;
  // Standard normal for element i (Box-Muller on one block).
  double normal(std::uint64_t i) const;
  // 64 random bits for element i.
  std::uint64_t bits64(std::uint64_t i) const;

 private:
  std::uint32_t key_[2];
  std::uint32_t stream_[2];  // the index: high half of the counter
};

// Fill a CPU float tensor (f32 or f64).
void fill_uniform(Tensor& t, const Seed& seed, double low, double high);
void fill_normal(Tensor& t, const Seed& seed, double mean, double stddev);

Tensor random_uniform(const Shape& shape, const Seed& seed, double low = 0.0, double high = 1.0,
                      DType dtype = DType::f32);
Tensor random_normal(const Shape& shape, const Seed& seed, double mean = 0.0, double stddev = 1.0,
                     DType dtype = DType::f32);

// Initialisations as torchvision uses them.
// ResNet convolutions: kaiming_normal_(mode="fan_out", nonlinearity="relu"),
// std = sqrt(2 / fan_out), fan_out = K * R * S for a weight [K, C/g, R, S].
void init_kaiming_normal_fan_out(Tensor& w, const Seed& seed);
// nn.Linear / nn.Conv2d defaults: kaiming_uniform_(a=sqrt(5)) gives
// U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias draws from the same bound.
void init_uniform_fan_in(Tensor& t, std::int64_t fan_in, const Seed& seed);

}  // namespace ctcscope
