// Pooling as its definition: each output element looks at its window.
#include "kernels/reference/reference.h"

#include <cmath>
#include <limits>
#include <vector>

namespace ctcscope::reference {
namespace {

struct Planes {
  std::int64_t planes, H, W, P, Q;  // planes = N*C
};

Planes planes_of(const Shape& xs, const Pool2dParams& p) {
  const Shape ys = pool2d_output_shape(xs, p);
  return {xs[0] * xs[1], xs[2], xs[3], ys[2], ys[3]};
}

// Visits the taps of output (plane, op, oq)'s window that lie inside the
// image: f(h, w). Returns the number of taps the divisor counts.
template <class F>
std::int64_t for_each_tap(const Planes& s, const Pool2dParams& p, std::int64_t op, std::int64_t oq, F f) {
  std::int64_t inside = 0;
  for (std::int64_t r = 0; r < p.kernel_h; ++r)
    for (std::int64_t c = 0; c < p.kernel_w; ++c) {
      const std::int64_t h = op * p.stride_h - p.pad_h + r, w = oq * p.stride_w - p.pad_w + c;
      if (h < 0 || h >= s.H || w < 0 || w >= s.W) continue;
      ++inside;
      f(h, w);
    }
  return p.count_include_pad ? p.kernel_h * p.kernel_w : inside;
}

}  // namespace

MaxPoolResult maxpool2d_forward(const Tensor& x, const Pool2dParams& p) {
  const Planes s = planes_of(x.shape(), p);
  const std::vector<double> xv = x.to_double_vector();
  std::vector<double> y, idx;
  for (std::int64_t pl = 0; pl < s.planes; ++pl)
    for (std::int64_t op = 0; op < s.P; ++op)
      for (std::int64_t oq = 0; oq < s.Q; ++oq) {
        double best = -std::numeric_limits<double>::infinity();  // padding is -inf
        std::int64_t at = -1;
        for_each_tap(s, p, op, oq, [&](std::int64_t h, std::int64_t w) {
          const double v = xv[(pl * s.H + h) * s.W + w];
          if (at < 0 || (!std::isnan(best) && (v > best || std::isnan(v)))) {
            best = v;
            at = h * s.W + w;
          }
        });
        y.push_back(best);
        idx.push_back(static_cast<double>(at));
      }
  const Shape ys = pool2d_output_shape(x.shape(), p);
  return {Tensor::from_vector(y, ys), Tensor::from_vector(idx, ys)};
}

Tensor maxpool2d_backward(const Tensor& dy, const Tensor& indices, const Shape& x_shape) {
  const std::int64_t planes = x_shape[0] * x_shape[1], HW = x_shape[2] * x_shape[3];
  const std::int64_t PQ = dy.numel() / planes;
  const std::vector<double> dyv = dy.to_double_vector(), iv = indices.to_double_vector();
  std::vector<double> dx(static_cast<std::size_t>(planes * HW), 0.0);
  for (std::int64_t pl = 0; pl < planes; ++pl)
    for (std::int64_t k = 0; k < PQ; ++k) dx[pl * HW + static_cast<std::int64_t>(iv[pl * PQ + k])] += dyv[pl * PQ + k];
  return Tensor::from_vector(dx, x_shape);
}

Tensor avgpool2d_forward(const Tensor& x, const Pool2dParams& p) {
  const Planes s = planes_of(x.shape(), p);
  const std::vector<double> xv = x.to_double_vector();
  std::vector<double> y;
  for (std::int64_t pl = 0; pl < s.planes; ++pl)
    for (std::int64_t op = 0; op < s.P; ++op)
      for (std::int64_t oq = 0; oq < s.Q; ++oq) {
        double sum = 0;
        const std::int64_t divisor =
            for_each_tap(s, p, op, oq, [&](std::int64_t h, std::int64_t w) { sum += xv[(pl * s.H + h) * s.W + w]; });
        y.push_back(sum / static_cast<double>(divisor));
      }
  return Tensor::from_vector(y, pool2d_output_shape(x.shape(), p));
}

Tensor avgpool2d_backward(const Tensor& dy, const Shape& x_shape, const Pool2dParams& p) {
  const Planes s = planes_of(x_shape, p);
  const std::vector<double> dyv = dy.to_double_vector();
  std::vector<double> dx(static_cast<std::size_t>(shape_numel(x_shape)), 0.0);
  for (std::int64_t pl = 0; pl < s.planes; ++pl)
    for (std::int64_t op = 0; op < s.P; ++op)
      for (std::int64_t oq = 0; oq < s.Q; ++oq) {
        std::vector<std::int64_t> taps;
        const std::int64_t divisor =
            for_each_tap(s, p, op, oq, [&](std::int64_t h, std::int64_t w) { taps.push_back((pl * s.H + h) * s.W + w); });
        for (std::int64_t t : taps) dx[t] += dyv[(pl * s.P + op) * s.Q + oq] / static_cast<double>(divisor);
      }
  return Tensor::from_vector(dx, x_shape);
}

Tensor global_avgpool_forward(const Tensor& x) {
  const std::int64_t planes = x.size(0) * x.size(1), HW = x.size(2) * x.size(3);
  const std::vector<double> xv = x.to_double_vector();
  std::vector<double> y(static_cast<std::size_t>(planes), 0.0);
  for (std::int64_t pl = 0; pl < planes; ++pl) {
    for (std::int64_t k = 0; k < HW; ++k) y[pl] += xv[pl * HW + k];
    y[pl] /= static_cast<double>(HW);
  }
  return Tensor::from_vector(y, {x.size(0), x.size(1)});
}

Tensor global_avgpool_backward(const Tensor& dy, const Shape& x_shape) {
  const std::int64_t planes = x_shape[0] * x_shape[1], HW = x_shape[2] * x_shape[3];
  const std::vector<double> dyv = dy.to_double_vector();
  std::vector<double> dx(static_cast<std::size_t>(planes * HW));
  for (std::int64_t pl = 0; pl < planes; ++pl)
    for (std::int64_t k = 0; k < HW; ++k) dx[pl * HW + k] = dyv[pl] / static_cast<double>(HW);
  return Tensor::from_vector(dx, x_shape);
}

}  // namespace ctcscope::reference
