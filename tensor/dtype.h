// Element types and devices a Tensor can have.
// f32 is the engine's type; f64 exists on the CPU so that gradients can be
// checked against finite differences; f16/bf16 are room for GPU mixed precision.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ctcscope {

enum class DType : std::uint8_t { f32, f64, f16, bf16, i32, i64, u8 };
enum class Device : std::uint8_t { cpu, cuda };

std::size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);
const char* device_name(Device device);

template <class T> constexpr DType dtype_of();
template <> constexpr DType dtype_of<float>() { return DType::f32; }
template <> constexpr DType dtype_of<double>() { return DType::f64; }
template <> constexpr DType dtype_of<std::int32_t>() { return DType::i32; }
template <> constexpr DType dtype_of<std::int64_t>() { return DType::i64; }
template <> constexpr DType dtype_of<std::uint8_t>() { return DType::u8; }

using Shape = std::vector<std::int64_t>;

// "[16,3,148,148]"
std::string shape_str(const Shape& shape);
std::int64_t shape_numel(const Shape& shape);

}  // namespace ctcscope
