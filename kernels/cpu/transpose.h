// A 16 x 16 block of floats transposed through AVX-512 registers, for the
// layout changes that would otherwise go one float at a time (or by gather
// and scatter): the GEMM's packs of transposed operands, and the depthwise
// convolution's planes to channels-last blocks and back. Built with
// target("avx512f") whatever the build's -march; call it only where
// transpose16_available() (cpuid) says the CPU has AVX-512.
#pragma once

#include <cstdint>

namespace ctcscope::cpu {

bool transpose16_available();

// out[i*ldo + j] = src[j*lds + i] for i < 16 and j < rows (rows 8 or 16): a
// 16-long run of each of `rows` rows becomes 16 rows of `rows` values.
void transpose16(const float* src, std::int64_t lds, int rows, float* out, std::int64_t ldo);

}  // namespace ctcscope::cpu
