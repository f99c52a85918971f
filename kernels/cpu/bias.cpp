// CPU twin of the per-channel bias: the add by (n, c) plane, the gradient by
// channel (each task owns one db[c], so no two threads write one element).
#include "kernels/bias.h"
#include "kernels/cpu/parallel.h"

namespace ctcscope::cpu {
namespace {

template <class T>
void add_impl(const Tensor& b, Tensor& y) {
  const T* pb = b.data<T>();
  T* py = y.data<T>();
  const std::int64_t c = y.size(1), plane = y.size(2) * y.size(3);
  parallel_chunks(y.size(0) * c, [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t nc = begin; nc < end; ++nc) {
      const T bias = pb[nc % c];
      for (std::int64_t i = nc * plane; i < (nc + 1) * plane; ++i) py[i] += bias;
    }
  });
}

template <class T>
void backward_impl(const Tensor& dy, Tensor& db) {
  const T* pdy = dy.data<T>();
  T* pdb = db.data<T>();
  const std::int64_t n = dy.size(0), c = dy.size(1), plane = dy.size(2) * dy.size(3);
  parallel_chunks(c, [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t ch = begin; ch < end; ++ch) {
      double acc = 0;
      for (std::int64_t i = 0; i < n; ++i) {
        const T* p = pdy + (i * c + ch) * plane;
        for (std::int64_t k = 0; k < plane; ++k) acc += double(p[k]);
      }
      pdb[ch] += T(acc);
    }
  });
}

}  // namespace

void bias_add_channels(const Tensor& b, Tensor& y) {
  if (y.dtype() == DType::f64) {
    add_impl<double>(b, y);
  } else {
    add_impl<float>(b, y);
  }
}

void bias_backward_channels(const Tensor& dy, Tensor& db) {
  if (dy.dtype() == DType::f64) {
    backward_impl<double>(dy, db);
  } else {
    backward_impl<float>(dy, db);
  }
}

}  // namespace ctcscope::cpu
