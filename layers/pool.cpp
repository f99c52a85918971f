// Pooling layers: max pool keeps the argmax indices, average pools only the
// input shape.
#include "layers/pool.h"

#include <sstream>

namespace ctcscope {

static Pool2dParams square_pool(std::int64_t kernel, std::int64_t stride, std::int64_t padding) {
  Pool2dParams p;
  p.kernel_h = p.kernel_w = kernel;
  p.stride_h = p.stride_w = stride;
  p.pad_h = p.pad_w = padding;
  return p;
}

static std::string describe_pool(const char* name, const Pool2dParams& p) {
  std::ostringstream out;
  out << name << "(k=" << p.kernel_h << ", s=" << p.stride_h << ", p=" << p.pad_h << ")";
  return out.str();
}

MaxPool2d::MaxPool2d(std::int64_t kernel, std::int64_t stride, std::int64_t padding)
    : params_(square_pool(kernel, stride, padding)) {}

Tensor MaxPool2d::run_forward(const Tensor& x) {
  Shape shape = pool2d_output_shape(x.shape(), params_);
  Tensor y = Tensor::empty(shape, x.dtype(), x.device());
  // Only a training forward's backward needs the argmax.
  Tensor indices = training() ? Tensor::empty(shape, DType::i32, x.device()) : Tensor();
  maxpool2d_forward(x, params_, y, indices);
  if (training()) {
    saved_indices_ = indices;
    saved_x_shape_ = x.shape();
  }
  return y;
}

Tensor MaxPool2d::run_backward(const Tensor& dy) {
  CTC_CHECK(saved_indices_.defined(), "MaxPool2d::backward without a forward in training mode");
  Tensor dx = Tensor::empty(saved_x_shape_, dy.dtype(), dy.device());
  maxpool2d_backward(dy, saved_indices_, params_, dx);
  saved_indices_ = Tensor();
  return dx;
}

std::string MaxPool2d::describe() const { return describe_pool("MaxPool2d", params_); }

AvgPool2d::AvgPool2d(std::int64_t kernel, std::int64_t stride, std::int64_t padding,
                     bool count_include_pad)
    : params_(square_pool(kernel, stride, padding)) {
  params_.count_include_pad = count_include_pad;
}

Tensor AvgPool2d::run_forward(const Tensor& x) {
  Tensor y = Tensor::empty(pool2d_output_shape(x.shape(), params_), x.dtype(), x.device());
  avgpool2d_forward(x, params_, y);
  saved_x_shape_ = x.shape();
  return y;
}

Tensor AvgPool2d::run_backward(const Tensor& dy) {
  CTC_CHECK(!saved_x_shape_.empty(), "AvgPool2d::backward without a forward");
  Tensor dx = Tensor::empty(saved_x_shape_, dy.dtype(), dy.device());
  avgpool2d_backward(dy, params_, dx);
  return dx;
}

std::string AvgPool2d::describe() const { return describe_pool("AvgPool2d", params_); }

Tensor GlobalAvgPool::run_forward(const Tensor& x) {
  CTC_CHECK(x.dim() == 4, "GlobalAvgPool: input must be NCHW, got ", x.shape_str());
  Tensor y = Tensor::empty({x.size(0), x.size(1)}, x.dtype(), x.device());
  global_avgpool_forward(x, y);
  saved_x_shape_ = x.shape();
  return y;
}

Tensor GlobalAvgPool::run_backward(const Tensor& dy) {
  CTC_CHECK(!saved_x_shape_.empty(), "GlobalAvgPool::backward without a forward");
  Tensor dx = Tensor::empty(saved_x_shape_, dy.dtype(), dy.device());
  global_avgpool_backward(dy, dx);
  return dx;
}

// Max pool: forward one compare per window element, N*C*P*Q*R*S; backward
// one add per output, N*C*P*Q. Bytes: x, y and the i32 indices forward; dy,
// the indices and dx backward.
LayerCost MaxPool2d::cost(const Tensor& x) const {
  const double element = static_cast<double>(dtype_size(x.dtype()));
  const double ny = static_cast<double>(shape_numel(pool2d_output_shape(x.shape(), params_)));
  const double nx = static_cast<double>(x.numel()), window = static_cast<double>(params_.kernel_h * params_.kernel_w);
  const double index = sizeof(std::int32_t);
  return {ny * window, ny, element * (nx + ny) + index * ny, element * (ny + nx) + index * ny};
}

// Average pool: one add per window element and a divide per output, N*C*P*Q*(R*S + 1),
// each way. Bytes: x and y forward; dy and dx backward.
LayerCost AvgPool2d::cost(const Tensor& x) const {
  const double element = static_cast<double>(dtype_size(x.dtype()));
  const double ny = static_cast<double>(shape_numel(pool2d_output_shape(x.shape(), params_)));
  const double nx = static_cast<double>(x.numel()), window = static_cast<double>(params_.kernel_h * params_.kernel_w);
  const double flops = ny * (window + 1);
  return {flops, flops, element * (nx + ny), element * (nx + ny)};
}

// Global average pool: one add per input element each way (N*C*H*W). Bytes:
// x and y forward; dy and dx backward.
LayerCost GlobalAvgPool::cost(const Tensor& x) const {
  const double element = static_cast<double>(dtype_size(x.dtype()));
  const double nx = static_cast<double>(x.numel()), ny = static_cast<double>(x.size(0) * x.size(1));
  return {nx, nx, element * (nx + ny), element * (nx + ny)};
}

}  // namespace ctcscope
