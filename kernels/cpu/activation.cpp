// CPU twins of ReLU, SiLU and sigmoid: chunked elementwise loops over the flat tensor.
// Forward may run in place (y is x), backward too (dx is dy); each element is
// read before it is written, so aliasing is safe.
#include "kernels/activation.h"
#include "kernels/cpu/exp_simd.h"
#include "kernels/cpu/parallel.h"

#include <cmath>

namespace ctcscope::cpu {
namespace {

// x < 0 ? 0 : x keeps a NaN as NaN, as torch.relu does.
template <class T>
void relu_forward_impl(const Tensor& x, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  parallel_chunks(x.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) py[i] = px[i] < T(0) ? T(0) : px[i];
  });
}

// dx = dy * [y > 0]: y > 0 exactly where x > 0.
template <class T>
void relu_backward_impl(const Tensor& dy, const Tensor& y, Tensor& dx) {
  const T* pdy = dy.data<T>();
  const T* py = y.data<T>();
  T* pdx = dx.data<T>();
  parallel_chunks(dy.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) {
      const T g = pdy[i];  // loaded unconditionally: a select, not a branch on y's sign
      pdx[i] = py[i] > T(0) ? g : T(0);
    }
  });
}

template <class T>
void silu_forward_impl(const Tensor& x, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  parallel_chunks(x.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) py[i] = px[i] * sigmoid_simd(px[i]);
  });
}

// d/dx [x s(x)] = s + x s (1 - s) = s (1 + x (1 - s)), as torch's silu_backward.
template <class T>
void silu_backward_impl(const Tensor& dy, const Tensor& x, Tensor& dx) {
  const T* pdy = dy.data<T>();
  const T* px = x.data<T>();
  T* pdx = dx.data<T>();
  parallel_chunks(dy.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) {
      const T s = sigmoid_simd(px[i]);
      pdx[i] = pdy[i] * s * (T(1) + px[i] * (T(1) - s));
    }
  });
}

template <class T>
void sigmoid_forward_impl(const Tensor& x, Tensor& y) {
  const T* px = x.data<T>();
  T* py = y.data<T>();
  parallel_chunks(x.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) py[i] = sigmoid_simd(px[i]);
  });
}

// d/dx s(x) = s (1 - s), from the output.
template <class T>
void sigmoid_backward_impl(const Tensor& dy, const Tensor& y, Tensor& dx) {
  const T* pdy = dy.data<T>();
  const T* py = y.data<T>();
  T* pdx = dx.data<T>();
  parallel_chunks(dy.numel(), [=](std::int64_t begin, std::int64_t end) {
#pragma omp simd
    for (std::int64_t i = begin; i < end; ++i) pdx[i] = pdy[i] * py[i] * (T(1) - py[i]);
  });
}

}  // namespace

void relu_forward(const Tensor& x, Tensor& y) {
  if (x.dtype() == DType::f64) {
    relu_forward_impl<double>(x, y);
  } else {
    relu_forward_impl<float>(x, y);
  }
}

void relu_backward(const Tensor& dy, const Tensor& y, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    relu_backward_impl<double>(dy, y, dx);
  } else {
    relu_backward_impl<float>(dy, y, dx);
  }
}

void silu_forward(const Tensor& x, Tensor& y) {
  if (x.dtype() == DType::f64) {
    silu_forward_impl<double>(x, y);
  } else {
    silu_forward_impl<float>(x, y);
  }
}

void silu_backward(const Tensor& dy, const Tensor& x, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    silu_backward_impl<double>(dy, x, dx);
  } else {
    silu_backward_impl<float>(dy, x, dx);
  }
}

void sigmoid_forward(const Tensor& x, Tensor& y) {
  if (x.dtype() == DType::f64) {
    sigmoid_forward_impl<double>(x, y);
  } else {
    sigmoid_forward_impl<float>(x, y);
  }
}

void sigmoid_backward(const Tensor& dy, const Tensor& y, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    sigmoid_backward_impl<double>(dy, y, dx);
  } else {
    sigmoid_backward_impl<float>(dy, y, dx);
  }
}

}  // namespace ctcscope::cpu
