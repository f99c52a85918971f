// Pooling entry points and the output-shape rule: check the arguments, then
// dispatch on the device (CPU twin or CUDA). The window rules follow torch.nn.MaxPool2d and
// AvgPool2d without ceil_mode: P = floor((H + 2*pad - kernel) / stride) + 1.
#include "kernels/pool.h"

#include <cstdint>

#include "kernels/arg_checks.h"

namespace ctcscope {

using argcheck::check_backend;
using argcheck::check_dim;
using argcheck::check_float;
using argcheck::check_like;

static void check_pool_params(const Pool2dParams& p, const char* op) {
  CTC_CHECK(p.kernel_h >= 1 && p.kernel_w >= 1, op, ": kernel must be positive, got ", p.kernel_h,
            "x", p.kernel_w);
  CTC_CHECK(p.stride_h >= 1 && p.stride_w >= 1, op, ": stride must be positive, got ", p.stride_h,
            "x", p.stride_w);
  CTC_CHECK(p.pad_h >= 0 && p.pad_w >= 0, op, ": padding must be non-negative, got ", p.pad_h,
            "x", p.pad_w);
  // PyTorch's rule: every window then holds at least one input element.
  CTC_CHECK(p.pad_h <= p.kernel_h / 2 && p.pad_w <= p.kernel_w / 2, op,
            ": padding should be at most half of kernel size, got pad ", p.pad_h, "x", p.pad_w,
            " for kernel ", p.kernel_h, "x", p.kernel_w);
}

Shape pool2d_output_shape(const Shape& x, const Pool2dParams& p) {
  const char* op = "pool2d_output_shape";
  CTC_CHECK(x.size() == 4, op, ": input must be NCHW, got ", shape_str(x));
  check_pool_params(p, op);
  const std::int64_t span_h = x[2] + 2 * p.pad_h - p.kernel_h;
  const std::int64_t span_w = x[3] + 2 * p.pad_w - p.kernel_w;
  CTC_CHECK(span_h >= 0 && span_w >= 0, op, ": kernel ", p.kernel_h, "x", p.kernel_w,
            " with padding ", p.pad_h, "x", p.pad_w, " is larger than the input ", shape_str(x),
            ": output size would be <= 0");
  return {x[0], x[1], span_h / p.stride_h + 1, span_w / p.stride_w + 1};
}

void maxpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y, Tensor& indices) {
  const char* op = "maxpool2d_forward";
  check_float(x, op, "x");
  check_dim(x, 4, op, "x");
  const Shape out = pool2d_output_shape(x.shape(), p);
  check_like(y, x, out, op, "y");
  if (indices.defined()) {
    check_shape(indices, out, op, "indices");
    CTC_CHECK(indices.dtype() == DType::i32 && indices.device() == x.device(), op,
              ": indices is ", indices.describe(), ", expected i32 on ", device_name(x.device()));
    CTC_CHECK(x.size(2) * x.size(3) <= INT32_MAX, op, ": plane of ", x.shape_str(),
              " too large for i32 indices");
  }
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::maxpool2d_forward(x, p, y, indices);
#else
  check_backend(x, op);
#endif
  cpu::maxpool2d_forward(x, p, y, indices);
}

void maxpool2d_backward(const Tensor& dy, const Tensor& indices, const Pool2dParams& p, Tensor& dx) {
  const char* op = "maxpool2d_backward";
  check_float(dy, op, "dy");
  check_dim(dy, 4, op, "dy");
  check_shape(indices, dy.shape(), op, "indices");
  CTC_CHECK(indices.dtype() == DType::i32 && indices.device() == dy.device(), op,
            ": indices is ", indices.describe(), ", expected i32 on ", device_name(dy.device()));
  check_dim(dx, 4, op, "dx");
  check_same_dtype_device(dy, dx, op, "dx");
  CTC_CHECK(dx.size(0) == dy.size(0) && dx.size(1) == dy.size(1), op, ": dx has shape ",
            dx.shape_str(), ", expected N and C of dy ", dy.shape_str());
  check_shape(dy, pool2d_output_shape(dx.shape(), p), op, "dy");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::maxpool2d_backward(dy, indices, p, dx);
#else
  check_backend(dy, op);
#endif
  cpu::maxpool2d_backward(dy, indices, dx);
}

void avgpool2d_forward(const Tensor& x, const Pool2dParams& p, Tensor& y) {
  const char* op = "avgpool2d_forward";
  check_float(x, op, "x");
  check_dim(x, 4, op, "x");
  check_like(y, x, pool2d_output_shape(x.shape(), p), op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::avgpool2d_forward(x, p, y);
#else
  check_backend(x, op);
#endif
  cpu::avgpool2d_forward(x, p, y);
}

void avgpool2d_backward(const Tensor& dy, const Pool2dParams& p, Tensor& dx) {
  const char* op = "avgpool2d_backward";
  check_float(dy, op, "dy");
  check_dim(dy, 4, op, "dy");
  check_dim(dx, 4, op, "dx");
  check_same_dtype_device(dy, dx, op, "dx");
  const Shape out = pool2d_output_shape(dx.shape(), p);
  CTC_CHECK(dy.shape() == out, op, ": dy has shape ", dy.shape_str(), ", expected ",
            shape_str(out), " (the pooled shape of dx ", dx.shape_str(), ")");
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::avgpool2d_backward(dy, p, dx);
#else
  check_backend(dy, op);
#endif
  cpu::avgpool2d_backward(dy, p, dx);
}

void global_avgpool_forward(const Tensor& x, Tensor& y) {
  const char* op = "global_avgpool_forward";
  check_float(x, op, "x");
  check_dim(x, 4, op, "x");
  CTC_CHECK(x.size(2) * x.size(3) > 0, op, ": x has an empty plane: ", x.shape_str());
  check_like(y, x, {x.size(0), x.size(1)}, op, "y");
#ifdef CTC_WITH_CUDA
  if (x.device() == Device::cuda) return cuda::global_avgpool_forward(x, y);
#else
  check_backend(x, op);
#endif
  cpu::global_avgpool_forward(x, y);
}

void global_avgpool_backward(const Tensor& dy, Tensor& dx) {
  const char* op = "global_avgpool_backward";
  check_float(dy, op, "dy");
  check_dim(dy, 2, op, "dy");
  check_dim(dx, 4, op, "dx");
  check_same_dtype_device(dy, dx, op, "dx");
  CTC_CHECK(dx.size(0) == dy.size(0) && dx.size(1) == dy.size(1), op, ": dx has shape ",
            dx.shape_str(), ", expected [N,C,H,W] with N,C of dy ", dy.shape_str());
  CTC_CHECK(dx.size(2) * dx.size(3) > 0, op, ": dx has an empty plane: ", dx.shape_str());
#ifdef CTC_WITH_CUDA
  if (dy.device() == Device::cuda) return cuda::global_avgpool_backward(dy, dx);
#else
  check_backend(dy, op);
#endif
  cpu::global_avgpool_backward(dy, dx);
}

}  // namespace ctcscope
