// exp and the logistic sigmoid for float, written so that a `#pragma omp simd`
// loop vectorises them (libm's expf is a call per element: SiLU spent 45% of
// EfficientNet-B4's CPU inference there). Double keeps std::exp: the f64 path
// is the one held against finite differences.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace ctcscope::cpu {

// Cephes' expf: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an
// exact reduction), exp(r) by its degree-7 minimax polynomial, 2^n built in the
// exponent bits. n comes from adding 1.5 * 2^23, which rounds x log2(e) to an
// integer in the low mantissa bits: no float-to-int conversion, so a NaN goes
// through as NaN without undefined behaviour. Within 2 ulp of exp over
// [-87.3, 88.3] (tested); x is clamped to that range, so the result never
// overflows to inf, and below it is exp(-87.3), about 1.2e-38.
[[gnu::always_inline]] inline float exp_simd(float x) {
  constexpr float kRound = 12582912.0f;  // 1.5 * 2^23
  x = x < -87.33654f ? -87.33654f : (x > 88.37626f ? 88.37626f : x);
  const float t = x * 1.44269504088896341f + kRound;
  const float n = t - kRound;
  float r = x - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  const std::uint32_t k = std::bit_cast<std::uint32_t>(t) - std::bit_cast<std::uint32_t>(kRound);
  return p * std::bit_cast<float>((k + 127u) << 23);
}

inline double exp_simd(double x) { return std::exp(x); }

// 1 / (1 + exp(-x)) without overflow (as torch): e = exp(-|x|) <= 1, then
// 1 / (1 + e) for x >= 0 and e / (1 + e) below; a select, not a branch.
// Both always inlined: a call keeps the loop that uses it scalar.
template <class T>
[[gnu::always_inline]] inline T sigmoid_simd(T x) {
  const T e = exp_simd(-std::fabs(x));
  const T inv = T(1) / (T(1) + e);
  return x >= T(0) ? inv : e * inv;
}

}  // namespace ctcscope::cpu
