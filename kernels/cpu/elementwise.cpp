// CPU twin of the elementwise arithmetic: chunked loops over the flat tensors.
// y may be a or b (the residual add writes into one of its inputs).
#include "kernels/cpu/parallel.h"
#include "kernels/elementwise.h"

namespace ctcscope::cpu {
namespace {

template <class T>
void add_impl(const Tensor& a, const Tensor& b, Tensor& y) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* py = y.data<T>();
  parallel_chunks(a.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) py[i] = pa[i] + pb[i];
  });
}

template <class T>
void add_inplace_impl(const Tensor& x, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  parallel_chunks(x.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) py[i] += px[i];
  });
}

}  // namespace

void add(const Tensor& a, const Tensor& b, Tensor& y) {
  if (a.dtype() == DType::f64) {
    add_impl<double>(a, b, y);
  } else {
    add_impl<float>(a, b, y);
  }
}

void add_inplace(const Tensor& x, Tensor& y) {
  if (x.dtype() == DType::f64) {
    add_inplace_impl<double>(x, y);
  } else {
    add_inplace_impl<float>(x, y);
  }
}

}  // namespace ctcscope::cpu
