// CPU twin of dropout and stochastic depth. Element (or sample) i is kept
// when the generator's uniform(i) < 1 - p, as torch's bernoulli(1 - p).
#include "kernels/cpu/parallel.h"
#include "kernels/dropout.h"

namespace ctcscope::cpu {
namespace {

// 0 or 1/(1-p); with p == 1 nothing survives and the factor is 0.
template <class T>
void fill_mask(const Philox& gen, double p, T* mask, std::int64_t n) {
  const double keep = 1.0 - p;
  const T scale = keep > 0.0 ? T(1.0 / keep) : T(0);
  parallel_chunks(n, [=, &gen](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      mask[i] = gen.uniform(static_cast<std::uint64_t>(i)) < keep ? scale : T(0);
    }
  });
}

template <class T>
void dropout_forward_impl(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  const Philox gen(seed);
  T* pm = mask.data<T>();
  fill_mask(gen, p, pm, x.numel());
  const T* px = x.data<T>();
  T* py = y.data<T>();
  parallel_chunks(x.numel(), [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) py[i] = px[i] * pm[i];
  });
}

template <class T>
void dropout_backward_impl(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  const T* pdy = dy.data<T>();
  const T* pm = mask.data<T>();
  T* pdx = dx.data<T>();
  parallel_chunks(dy.numel(), [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) pdx[i] = pdy[i] * pm[i];
  });
}

// y[n, ...] = x[n, ...] * mask[n]: the rows are contiguous runs of numel/N.
template <class T>
void scale_rows(const Tensor& x, const Tensor& mask, Tensor& y) {
  const T* px = x.data<T>();
  const T* pm = mask.data<T>();
  T* py = y.data<T>();
  const std::int64_t row = x.size(0) > 0 ? x.numel() / x.size(0) : 0;
  parallel_chunks(x.numel(), [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) py[i] = px[i] * pm[i / row];
  });
}

template <class T>
void stochastic_depth_forward_impl(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  const Philox gen(seed);
  fill_mask(gen, p, mask.data<T>(), x.size(0));
  scale_rows<T>(x, mask, y);
}

}  // namespace

void dropout_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  if (x.dtype() == DType::f64) {
    dropout_forward_impl<double>(x, p, seed, y, mask);
  } else {
    dropout_forward_impl<float>(x, p, seed, y, mask);
  }
}

void dropout_backward(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    dropout_backward_impl<double>(dy, mask, dx);
  } else {
    dropout_backward_impl<float>(dy, mask, dx);
  }
}

void stochastic_depth_forward(const Tensor& x, double p, const Seed& seed, Tensor& y, Tensor& mask) {
  if (x.dtype() == DType::f64) {
    stochastic_depth_forward_impl<double>(x, p, seed, y, mask);
  } else {
    stochastic_depth_forward_impl<float>(x, p, seed, y, mask);
  }
}

void dropout_fill_mask(double p, const Seed& seed, Tensor& mask) {
  const Philox gen(seed);
  if (mask.dtype() == DType::f64) {
    fill_mask(gen, p, mask.data<double>(), mask.numel());
  } else {
    fill_mask(gen, p, mask.data<float>(), mask.numel());
  }
}

void stochastic_depth_backward(const Tensor& dy, const Tensor& mask, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    scale_rows<double>(dy, mask, dx);
  } else {
    scale_rows<float>(dy, mask, dx);
  }
}

}  // namespace ctcscope::cpu
