// IEEE binary16 (f16) and bfloat16 to float32, bit-exact: both widen without
// rounding, so subnormals, infinities and NaN payloads come through.
// Weight files store these; the engine computes in f32.
#pragma once

#include <cstdint>
#include <cstring>

namespace ctcscope {

inline float f32_from_bits(std::uint32_t bits) {
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

inline float f16_to_f32(std::uint16_t h) {
  std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1fu;
  std::uint32_t mantissa = h & 0x3ffu;
  if (exponent == 0) {
    if (mantissa == 0) return f32_from_bits(sign);
    // Subnormal: mantissa * 2^-24, renormalised into f32's wider exponent.
    int shift = 0;
    while ((mantissa & 0x400u) == 0) {
      mantissa <<= 1;
      ++shift;
    }
    mantissa &= 0x3ffu;
    std::uint32_t e32 = static_cast<std::uint32_t>(127 - 15 + 1 - shift);
    return f32_from_bits(sign | (e32 << 23) | (mantissa << 13));
  }
  if (exponent == 0x1f) return f32_from_bits(sign | 0x7f800000u | (mantissa << 13));
  return f32_from_bits(sign | ((exponent + 127 - 15) << 23) | (mantissa << 13));
}

inline float bf16_to_f32(std::uint16_t b) { return f32_from_bits(static_cast<std::uint32_t>(b) << 16); }

}  // namespace ctcscope
