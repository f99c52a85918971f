// Tensor and Storage: allocation, views, copies and conversions on the CPU.
#include "tensor/tensor.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <utility>

#include "tensor/device.h"
#include "tensor/host_memory.h"
#ifdef CTC_WITH_CUDA
#include "tensor/cuda_memory.h"
#endif

namespace ctcscope {

std::size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::f16: return 2;
    case DType::bf16: return 2;
    case DType::i32: return 4;
    case DType::i64: return 8;
    case DType::u8: return 1;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "f32";
    case DType::f64: return "f64";
    case DType::f16: return "f16";
    case DType::bf16: return "bf16";
    case DType::i32: return "i32";
    case DType::i64: return "i64";
    case DType::u8: return "u8";
  }
  return "?";
}

const char* device_name(Device device) { return device == Device::cpu ? "cpu" : "cuda"; }

std::string shape_str(const Shape& shape) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << ']';
  return out.str();
}

std::int64_t shape_numel(const Shape& shape) {
  std::int64_t n = 1;
  for (auto d : shape) {
    CTC_CHECK(d >= 0, "negative dimension in shape ", shape_str(shape));
    n *= d;
  }
  return n;
}

Storage::Storage(std::size_t bytes, Device device) : bytes_(bytes), device_(device) {
#ifdef CTC_WITH_CUDA
  if (device == Device::cuda) {
    // The message is built only on failure: this runs for every GPU tensor.
    if (!cuda_available()) {
      require_cuda_device(detail::concat("cannot allocate ", bytes, " bytes on cuda").c_str());
    }
    data_ = cuda_allocate(std::max<std::size_t>(bytes, 1));
    return;
  }
#else
  CTC_CHECK(device == Device::cpu, "cannot allocate ", bytes,
            " bytes on cuda: this build has no CUDA backend");
#endif
  data_ = host_allocate(bytes);
  CTC_CHECK(data_ != nullptr, "out of host memory: asked for ", bytes, " bytes");
}

Storage::Storage(PinnedBuffer buffer)
    : data_(buffer.data()), bytes_(buffer.bytes()), device_(Device::cpu), pinned_(std::move(buffer)) {}

Storage::~Storage() {
  if (pinned_.data() != nullptr) {
    recycle_pinned_buffer(std::move(pinned_));
    return;
  }
#ifdef CTC_WITH_CUDA
  if (device_ == Device::cuda) {
    cuda_deallocate(data_);
    return;
  }
#endif
  host_free(data_, bytes_);
}

Tensor Tensor::empty(const Shape& shape, DType dtype, Device device) {
  Tensor t;
  t.shape_ = shape;
  t.numel_ = shape_numel(shape);
  t.dtype_ = dtype;
  t.device_ = device;
  t.storage_ = std::make_shared<Storage>(t.nbytes(), device);
  return t;
}

Tensor Tensor::empty_pinned(const Shape& shape, DType dtype) {
  Tensor t;
  t.shape_ = shape;
  t.numel_ = shape_numel(shape);
  t.dtype_ = dtype;
  t.device_ = Device::cpu;
  t.storage_ = std::make_shared<Storage>(take_pinned_buffer(t.nbytes()));
  return t;
}

Tensor Tensor::zeros(const Shape& shape, DType dtype, Device device) {
  Tensor t = empty(shape, dtype, device);
  t.zero();
  return t;
}

Tensor Tensor::full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  t.fill(value);
  return t;
}

template <class T>
static Tensor from_values(const std::vector<T>& values, const Shape& shape) {
  Tensor t = Tensor::empty(shape, dtype_of<T>());
  CTC_CHECK(static_cast<std::int64_t>(values.size()) == t.numel(), "from_vector: ", values.size(),
            " values for shape ", shape_str(shape));
  std::copy(values.begin(), values.end(), t.data<T>());
  return t;
}

Tensor Tensor::from_vector(const std::vector<float>& v, const Shape& s) { return from_values(v, s); }
Tensor Tensor::from_vector(const std::vector<double>& v, const Shape& s) { return from_values(v, s); }
Tensor Tensor::from_vector(const std::vector<std::int64_t>& v, const Shape& s) { return from_values(v, s); }

std::int64_t Tensor::size(std::int64_t i) const {
  std::int64_t d = dim();
  if (i < 0) i += d;
  CTC_CHECK(i >= 0 && i < d, "dimension ", i, " out of range for tensor of shape ", shape_str());
  return shape_[static_cast<std::size_t>(i)];
}

std::string Tensor::describe() const {
  if (!defined()) return "undefined tensor";
  return std::string(dtype_name(dtype_)) + shape_str() + " on " + device_name(device_);
}

void* Tensor::raw_data() const {
  CTC_CHECK(defined(), "access to an undefined tensor");
  return static_cast<char*>(storage_->data()) + offset_;
}

Tensor Tensor::reshape(const Shape& shape) const {
  CTC_CHECK(shape_numel(shape) == numel_, "reshape: cannot view ", shape_str(), " as ",
            ctcscope::shape_str(shape));
  Tensor t = *this;
  t.shape_ = shape;
  return t;
}

Tensor Tensor::narrow0(std::int64_t start, std::int64_t length) const {
  CTC_CHECK(dim() >= 1 && start >= 0 && length >= 0 && start + length <= shape_[0],
            "narrow0: rows [", start, ",", start + length, ") of ", shape_str());
  Tensor t = *this;
  std::int64_t row = shape_[0] ? numel_ / shape_[0] : 0;
  t.offset_ += static_cast<std::size_t>(start * row) * dtype_size(dtype_);
  t.shape_[0] = length;
  t.numel_ = row * length;
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = empty(shape_, dtype_, device_);
  t.copy_from(*this);
  return t;
}

Tensor Tensor::to_device(Device device) const {
  CTC_CHECK(defined(), "to_device: undefined tensor");
  if (device == device_) return *this;
  Tensor t = empty(shape_, dtype_, device);
  t.copy_from(*this);
  return t;
}

void Tensor::copy_from(const Tensor& src) {
  CTC_CHECK(src.shape_ == shape_ && src.dtype_ == dtype_, "copy_from: ", src.describe(), " into ",
            describe());
#ifdef CTC_WITH_CUDA
  if (device_ == Device::cuda || src.device_ == Device::cuda) {
    if (!same_data(src)) {
      cuda_copy_bytes(raw_data(), device_ == Device::cuda, src.raw_data(),
                      src.device_ == Device::cuda, nbytes());
    }
    return;
  }
#else
  CTC_CHECK(device_ == Device::cpu && src.device_ == Device::cpu, "copy_from: CPU only in this build");
#endif
  if (!same_data(src)) std::memcpy(raw_data(), src.raw_data(), nbytes());
}

template <class T>
static double read_as_double(const void* p, std::int64_t i) {
  return static_cast<double>(static_cast<const T*>(p)[i]);
}

double Tensor::item(std::int64_t i) const {
  CTC_CHECK(i >= 0 && i < numel_, "item(", i, ") out of range for ", describe());
  CTC_CHECK(device_ == Device::cpu, "item: tensor is on ", device_name(device_));
  const void* p = raw_data();
  switch (dtype_) {
    case DType::f32: return read_as_double<float>(p, i);
    case DType::f64: return read_as_double<double>(p, i);
    case DType::i32: return read_as_double<std::int32_t>(p, i);
    case DType::i64: return read_as_double<std::int64_t>(p, i);
    case DType::u8: return read_as_double<std::uint8_t>(p, i);
    default: CTC_FAIL("item: unsupported dtype ", dtype_name(dtype_));
  }
}

std::vector<double> Tensor::to_double_vector() const {
  std::vector<double> out(static_cast<std::size_t>(numel_));
  for (std::int64_t i = 0; i < numel_; ++i) out[static_cast<std::size_t>(i)] = item(i);
  return out;
}

template <class T>
static void fill_as(void* p, std::int64_t n, double value) {
  std::fill_n(static_cast<T*>(p), n, static_cast<T>(value));
}

void Tensor::fill(double value) {
#ifdef CTC_WITH_CUDA
  if (device_ == Device::cuda) {  // filled on the host, then copied: fills are rare and small
    Tensor host = empty(shape_, dtype_, Device::cpu);
    host.fill(value);
    copy_from(host);
    return;
  }
#else
  CTC_CHECK(device_ == Device::cpu, "fill: CPU only in this build");
#endif
  void* p = raw_data();
  switch (dtype_) {
    case DType::f32: fill_as<float>(p, numel_, value); break;
    case DType::f64: fill_as<double>(p, numel_, value); break;
    case DType::i32: fill_as<std::int32_t>(p, numel_, value); break;
    case DType::i64: fill_as<std::int64_t>(p, numel_, value); break;
    case DType::u8: fill_as<std::uint8_t>(p, numel_, value); break;
    default: CTC_FAIL("fill: unsupported dtype ", dtype_name(dtype_));
  }
}

void Tensor::zero() {
#ifdef CTC_WITH_CUDA
  if (device_ == Device::cuda) {
    cuda_zero_bytes(raw_data(), nbytes());
    return;
  }
#else
  CTC_CHECK(device_ == Device::cpu, "zero: CPU only in this build");
#endif
  std::memset(raw_data(), 0, nbytes());
}

template <class To>
static void convert_into(const Tensor& src, Tensor& dst) {
  To* out = dst.data<To>();
  for (std::int64_t i = 0; i < src.numel(); ++i) out[i] = static_cast<To>(src.item(i));
}

Tensor Tensor::to(DType dtype) const {
  if (dtype == dtype_) return clone();
  CTC_CHECK(device_ == Device::cpu, "to(", dtype_name(dtype), "): dtype conversion is CPU only, ",
            "tensor is ", describe());
  Tensor t = empty(shape_, dtype, device_);
  switch (dtype) {
    case DType::f32: convert_into<float>(*this, t); break;
    case DType::f64: convert_into<double>(*this, t); break;
    case DType::i32: convert_into<std::int32_t>(*this, t); break;
    case DType::i64: convert_into<std::int64_t>(*this, t); break;
    default: CTC_FAIL("to: conversion to ", dtype_name(dtype), " not supported");
  }
  return t;
}

bool Tensor::same_data(const Tensor& other) const {
  return storage_ == other.storage_ && offset_ == other.offset_;
}

void check_defined(const Tensor& t, const char* op, const char* arg) {
  CTC_CHECK(t.defined(), op, ": ", arg, " is undefined");
}

void check_shape(const Tensor& t, const Shape& expected, const char* op, const char* arg) {
  check_defined(t, op, arg);
  CTC_CHECK(t.shape() == expected, op, ": ", arg, " has shape ", t.shape_str(), ", expected ",
            shape_str(expected));
}

void check_same_dtype_device(const Tensor& a, const Tensor& b, const char* op, const char* arg) {
  check_defined(b, op, arg);
  CTC_CHECK(a.dtype() == b.dtype() && a.device() == b.device(), op, ": ", arg, " is ", b.describe(),
            ", expected ", dtype_name(a.dtype()), " on ", device_name(a.device()));
}

}  // namespace ctcscope
