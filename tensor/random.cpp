// Philox4x32-10 and the fills built on it.
#include "tensor/random.h"

#include <cmath>
#include <numbers>

namespace ctcscope {
namespace {

constexpr std::uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;  // Philox multipliers
constexpr std::uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;  // key schedule

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

}  // namespace

Philox::Philox(const Seed& seed) {
  std::uint64_t key = splitmix64(seed.seed ^ splitmix64(fnv1a(seed.purpose)));
  key_[0] = static_cast<std::uint32_t>(key);
  key_[1] = static_cast<std::uint32_t>(key >> 32);
  stream_[0] = static_cast<std::uint32_t>(seed.index);
  stream_[1] = static_cast<std::uint32_t>(seed.index >> 32);
}

std::array<std::uint32_t, 4> Philox::block(std::uint64_t b) const {
  std::uint32_t c0 = static_cast<std::uint32_t>(b), c1 = static_cast<std::uint32_t>(b >> 32);
  std::uint32_t c2 = stream_[0], c3 = stream_[1];
  std::uint32_t k0 = key_[0], k1 = key_[1];
  for (int round = 0; round < 10; ++round) {
    std::uint64_t p0 = static_cast<std::uint64_t>(kMul0) * c0;
    std::uint64_t p1 = static_cast<std::uint64_t>(kMul1) * c2;
    std::uint32_t hi0 = static_cast<std::uint32_t>(p0 >> 32), lo0 = static_cast<std::uint32_t>(p0);
    std::uint32_t hi1 = static_cast<std::uint32_t>(p1 >> 32), lo1 = static_cast<std::uint32_t>(p1);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 += kWeyl0;
    k1 += kWeyl1;
  }
  return {c0, c1, c2, c3};
}

double Philox::uniform(std::uint64_t i) const {
  auto w = block(i / 4);
  return static_cast<double>(w[i % 4] >> 8) * (1.0 / 16777216.0);
}

double Philox::normal(std::uint64_t i) const {
  auto w = block(i);
  // u1 in (0, 1] so that log(u1) is finite; u2 in [0, 1).
  double u1 = (static_cast<double>(w[0] >> 8) + 1.0) * (1.0 / 16777216.0);
  double u2 = static_cast<double>(w[1] >> 8) * (1.0 / 16777216.0);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

std::uint64_t Philox::bits64(std::uint64_t i) const {
  auto w = block(i);
  return (static_cast<std::uint64_t>(w[0]) << 32) | w[1];
}

template <class T, class Draw>
static void fill_with(Tensor& t, Draw draw) {
  T* p = t.data<T>();
  for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(draw(static_cast<std::uint64_t>(i)));
}

template <class Draw>
static void fill_float(Tensor& t, Draw draw, const char* what) {
  CTC_CHECK(t.device() == Device::cpu, what, ": CPU tensors only");
  if (t.dtype() == DType::f32) {
    fill_with<float>(t, draw);
  } else if (t.dtype() == DType::f64) {
    fill_with<double>(t, draw);
  } else {
    CTC_FAIL(what, ": needs f32 or f64, got ", t.describe());
  }
}

void fill_uniform(Tensor& t, const Seed& seed, double low, double high) {
  Philox rng(seed);
  fill_float(t, [&](std::uint64_t i) { return low + (high - low) * rng.uniform(i); }, "fill_uniform");
}

void fill_normal(Tensor& t, const Seed& seed, double mean, double stddev) {
  Philox rng(seed);
  fill_float(t, [&](std::uint64_t i) { return mean + stddev * rng.normal(i); }, "fill_normal");
}

Tensor random_uniform(const Shape& shape, const Seed& seed, double low, double high, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  fill_uniform(t, seed, low, high);
  return t;
}

Tensor random_normal(const Shape& shape, const Seed& seed, double mean, double stddev, DType dtype) {
  Tensor t = Tensor::empty(shape, dtype);
  fill_normal(t, seed, mean, stddev);
  return t;
}

void init_kaiming_normal_fan_out(Tensor& w, const Seed& seed) {
  CTC_CHECK(w.dim() >= 2, "kaiming init: weight must have at least 2 dims, got ", w.shape_str());
  std::int64_t receptive = w.numel() / (w.size(0) * w.size(1));
  double fan_out = static_cast<double>(w.size(0) * receptive);
  fill_normal(w, seed, 0.0, std::sqrt(2.0 / fan_out));
}

void init_uniform_fan_in(Tensor& t, std::int64_t fan_in, const Seed& seed) {
  CTC_CHECK(fan_in > 0, "uniform init: fan_in must be positive");
  double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  fill_uniform(t, seed, -bound, bound);
}

}  // namespace ctcscope
