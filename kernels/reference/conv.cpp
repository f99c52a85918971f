// Convolution as its definition: every output element a sum over its window;
// the gradients as the same loops, each product's share sent back.
#include "kernels/reference/reference.h"

#include <vector>

namespace ctcscope::reference {
namespace {

// Visits every (output element, tap) pair of the convolution inside the
// image: f(y index, x index, w index).
template <class F>
void for_each_tap(const Shape& xs, const Shape& ws, const Conv2dParams& p, F f) {
  const Shape ys = conv2d_output_shape(xs, ws, p);
  const std::int64_t N = xs[0], C = xs[1], H = xs[2], W = xs[3];
  const std::int64_t K = ws[0], R = ws[2], S = ws[3], P = ys[2], Q = ys[3];
  const std::int64_t Cg = C / p.groups, Kg = K / p.groups;
  for (std::int64_t n = 0; n < N; ++n)
    for (std::int64_t k = 0; k < K; ++k)
      for (std::int64_t op = 0; op < P; ++op)
        for (std::int64_t oq = 0; oq < Q; ++oq)
          for (std::int64_t c = 0; c < Cg; ++c)
            for (std::int64_t r = 0; r < R; ++r)
              for (std::int64_t s = 0; s < S; ++s) {
                const std::int64_t ih = op * p.stride_h - p.pad_h + r * p.dilation_h;
                const std::int64_t iw = oq * p.stride_w - p.pad_w + s * p.dilation_w;
                if (ih < 0 || ih >= H || iw < 0 || iw >= W) continue;  // zero padding
                const std::int64_t ci = (k / Kg) * Cg + c;
                f(((n * K + k) * P + op) * Q + oq, ((n * C + ci) * H + ih) * W + iw, ((k * Cg + c) * R + r) * S + s);
              }
}

}  // namespace

Tensor conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p) {
  const std::vector<double> xv = x.to_double_vector(), wv = w.to_double_vector();
  const Shape ys = conv2d_output_shape(x.shape(), w.shape(), p);
  std::vector<double> y(static_cast<std::size_t>(shape_numel(ys)), 0.0);
  for_each_tap(x.shape(), w.shape(), p, [&](std::int64_t yi, std::int64_t xi, std::int64_t wi) {
    y[yi] += xv[xi] * wv[wi];
  });
  return Tensor::from_vector(y, ys);
}

Tensor conv2d_backward_data(const Tensor& dy, const Tensor& w, const Shape& x_shape, const Conv2dParams& p) {
  const std::vector<double> dyv = dy.to_double_vector(), wv = w.to_double_vector();
  std::vector<double> dx(static_cast<std::size_t>(shape_numel(x_shape)), 0.0);
  for_each_tap(x_shape, w.shape(), p, [&](std::int64_t yi, std::int64_t xi, std::int64_t wi) {
    dx[xi] += dyv[yi] * wv[wi];
  });
  return Tensor::from_vector(dx, x_shape);
}

Tensor conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Shape& w_shape, const Conv2dParams& p) {
  const std::vector<double> dyv = dy.to_double_vector(), xv = x.to_double_vector();
  std::vector<double> dw(static_cast<std::size_t>(shape_numel(w_shape)), 0.0);
  for_each_tap(x.shape(), w_shape, p, [&](std::int64_t yi, std::int64_t xi, std::int64_t wi) {
    dw[wi] += dyv[yi] * xv[xi];
  });
  return Tensor::from_vector(dw, w_shape);
}

}  // namespace ctcscope::reference
