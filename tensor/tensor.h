// Tensor: a shape, an element type, a device and reference-counted storage.
// Tensors are always contiguous (row-major, NCHW for images). Copying a Tensor
// shares its storage; reshape and narrow0 are views; clone copies the data.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tensor/dtype.h"
#include "base/error.h"
#include "tensor/pinned.h"

namespace ctcscope {

// A block of memory on one device, freed with its last owner: 64-byte-aligned
// host memory (tensor/host_memory.h), or (CUDA builds) device memory from the stream-ordered pool
// (tensor/cuda_memory.h). Asking for the GPU without one throws
// "no CUDA device: cudaGetDeviceCount says ...".
class Storage {
 public:
  Storage(std::size_t bytes, Device device);
  // Host memory held by a page-locked buffer of the pinned pool (tensor/pinned.h).
  explicit Storage(PinnedBuffer buffer);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  Device device() const { return device_; }
  bool pinned() const { return pinned_.pinned(); }

 private:
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  Device device_;
  PinnedBuffer pinned_;  // the memory of a Storage(PinnedBuffer); empty otherwise
};

class Tensor {
 public:
  Tensor() = default;  // undefined: defined() is false

  static Tensor empty(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
  static Tensor zeros(const Shape& shape, DType dtype = DType::f32, Device device = Device::cpu);
  // A CPU tensor in page-locked memory from the pinned pool (tensor/pinned.h),
  // so its copy to the GPU runs asynchronously (tensor/upload.h); ordinary
  // memory where there is no GPU. The signature of the loader's
  // HostAllocator (data/loader.h): LoaderOptions::host_allocator = Tensor::empty_pinned.
  static Tensor empty_pinned(const Shape& shape, DType dtype);
  static Tensor full(const Shape& shape, double value, DType dtype = DType::f32);
  static Tensor from_vector(const std::vector<float>& values, const Shape& shape);
  static Tensor from_vector(const std::vector<double>& values, const Shape& shape);
  static Tensor from_vector(const std::vector<std::int64_t>& values, const Shape& shape);

  bool defined() const { return storage_ != nullptr; }
  const Shape& shape() const { return shape_; }
  std::int64_t dim() const { return static_cast<std::int64_t>(shape_.size()); }
  // size(i) accepts negative i counted from the end, as PyTorch.
  std::int64_t size(std::int64_t i) const;
  std::int64_t numel() const { return numel_; }
  DType dtype() const { return dtype_; }
  Device device() const { return device_; }
  // True when the storage is page-locked host memory.
  bool pinned() const { return storage_ && storage_->pinned(); }
  std::size_t nbytes() const { return static_cast<std::size_t>(numel_) * dtype_size(dtype_); }
  std::string shape_str() const { return ctcscope::shape_str(shape_); }
  // "f32[16,3,148,148] on cpu"
  std::string describe() const;

  void* raw_data() const;
  template <class T> T* data() const {
    CTC_CHECK(dtype_ == dtype_of<T>(), "tensor holds ", dtype_name(dtype_), ", asked for ",
              dtype_name(dtype_of<T>()));
    return static_cast<T*>(raw_data());
  }

  // Views that share storage.
  Tensor reshape(const Shape& shape) const;
  Tensor narrow0(std::int64_t start, std::int64_t length) const;  // rows [start, start+length) of dim 0

  Tensor clone() const;
  // This tensor on `device`: itself (shared) when it is there already, else a
  // copy (host <-> device; the call returns when the copy is done).
  Tensor to_device(Device device) const;
  // Element-type conversion on the CPU (f32 <-> f64, and integer to float).
  Tensor to(DType dtype) const;
  void copy_from(const Tensor& src);  // same shape and dtype, any devices; assigns
  void fill(double value);
  void zero();

  // Element access for tests and small host-side work (CPU only: copy a GPU
  // tensor with to_device(Device::cpu) first; converts to double).
  double item(std::int64_t flat_index = 0) const;
  std::vector<double> to_double_vector() const;

  // True when both views start at the same byte of the same storage.
  bool same_data(const Tensor& other) const;
  long use_count() const { return storage_.use_count(); }

 private:
  std::shared_ptr<Storage> storage_;
  std::size_t offset_ = 0;  // bytes from the start of storage_
  Shape shape_;
  std::int64_t numel_ = 0;
  DType dtype_ = DType::f32;
  Device device_ = Device::cpu;
};

// Checks used at the entry of every op; they name the op and the argument.
void check_defined(const Tensor& t, const char* op, const char* arg);
void check_shape(const Tensor& t, const Shape& expected, const char* op, const char* arg);
void check_same_dtype_device(const Tensor& a, const Tensor& b, const char* op, const char* arg);

}  // namespace ctcscope
