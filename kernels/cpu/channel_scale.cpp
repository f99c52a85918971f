// CPU twin of the channel-wise multiply: one (n, c) plane per task.
#include "kernels/channel_scale.h"
#include "kernels/cpu/parallel.h"

namespace ctcscope::cpu {
namespace {

template <class T>
void forward_impl(const Tensor& x, const Tensor& s, Tensor& y) {
  const T* px = x.data<T>();
  const T* ps = s.data<T>();
  T* py = y.data<T>();
  const std::int64_t plane = x.size(2) * x.size(3);
  parallel_chunks(x.size(0) * x.size(1), [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t nc = begin; nc < end; ++nc) {
      const T scale = ps[nc];
      for (std::int64_t i = nc * plane; i < (nc + 1) * plane; ++i) py[i] = px[i] * scale;
    }
  });
}

// ds is computed before dx is written, so dx may be dy.
template <class T>
void backward_impl(const Tensor& dy, const Tensor& x, const Tensor& s, Tensor& dx, Tensor& ds) {
  const T* pdy = dy.data<T>();
  const T* px = x.data<T>();
  const T* ps = s.data<T>();
  T* pdx = dx.data<T>();
  T* pds = ds.data<T>();
  const std::int64_t plane = dy.size(2) * dy.size(3);
  parallel_chunks(dy.size(0) * dy.size(1), [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t nc = begin; nc < end; ++nc) {
      double acc = 0;
      for (std::int64_t i = nc * plane; i < (nc + 1) * plane; ++i) acc += double(pdy[i]) * double(px[i]);
      pds[nc] = T(acc);
      const T scale = ps[nc];
      for (std::int64_t i = nc * plane; i < (nc + 1) * plane; ++i) pdx[i] = pdy[i] * scale;
    }
  });
}

}  // namespace

void channel_scale_forward(const Tensor& x, const Tensor& s, Tensor& y) {
  if (x.dtype() == DType::f64) {
    forward_impl<double>(x, s, y);
  } else {
    forward_impl<float>(x, s, y);
  }
}

void channel_scale_backward(const Tensor& dy, const Tensor& x, const Tensor& s, Tensor& dx, Tensor& ds) {
  if (dy.dtype() == DType::f64) {
    backward_impl<double>(dy, x, s, dx, ds);
  } else {
    backward_impl<float>(dy, x, s, dx, ds);
  }
}

}  // namespace ctcscope::cpu
