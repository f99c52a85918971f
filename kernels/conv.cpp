// 2-D convolution entry points: check every argument (rank, dtype, device,
// groups, shapes against conv2d_output_shape), naming the op and the argument
// that does not fit, then dispatch to the backend of the tensors' device.
#include "kernels/conv.h"

#include "kernels/concat.h"

namespace ctcscope {
namespace {

// The output shape, with errors that name `op` and the offending argument;
// `x_name` and `w_name` are what the caller calls the input- and weight-shaped
// tensors (x/dx, w/dw).
Shape output_shape(const char* op, const Shape& x, const char* x_name, const Shape& w,
                   const char* w_name, const Conv2dParams& p) {
  CTC_CHECK(x.size() == 4, op, ": ", x_name, " must be NCHW (4-D), got ", shape_str(x));
  CTC_CHECK(w.size() == 4, op, ": ", w_name, " must be [K,C/groups,R,S] (4-D), got ",
            shape_str(w));
  CTC_CHECK(p.stride_h >= 1 && p.stride_w >= 1, op, ": stride must be positive, got ",
            p.stride_h, "x", p.stride_w);
  CTC_CHECK(p.dilation_h >= 1 && p.dilation_w >= 1, op, ": dilation must be positive, got ",
            p.dilation_h, "x", p.dilation_w);
  CTC_CHECK(p.pad_h >= 0 && p.pad_w >= 0, op, ": padding must be non-negative, got ", p.pad_h,
            "x", p.pad_w);
  CTC_CHECK(p.groups >= 1, op, ": groups must be positive, got ", p.groups);
  const std::int64_t n = x[0], c = x[1], h = x[2], wd = x[3];
  const std::int64_t k = w[0], r = w[2], s = w[3];
  CTC_CHECK(n >= 0 && c >= 1 && h >= 1 && wd >= 1, op, ": ", x_name, " has shape ",
            shape_str(x), ", expected positive C, H, W");
  CTC_CHECK(k >= 1 && r >= 1 && s >= 1, op, ": ", w_name, " has shape ", shape_str(w),
            ", expected positive K, R, S");
  CTC_CHECK(c % p.groups == 0, op, ": ", x_name, " has C=", c, " channels, not divisible by groups=",
            p.groups);
  CTC_CHECK(k % p.groups == 0, op, ": ", w_name, " has K=", k,
            " output channels, not divisible by groups=", p.groups);
  CTC_CHECK(w[1] == c / p.groups, op, ": ", w_name, " has shape ", shape_str(w),
            ", expected C/groups=", c / p.groups, " input channels per group");
  const std::int64_t span_h = p.dilation_h * (r - 1) + 1;
  const std::int64_t span_w = p.dilation_w * (s - 1) + 1;
  CTC_CHECK(h + 2 * p.pad_h >= span_h && wd + 2 * p.pad_w >= span_w, op, ": ", w_name,
            " kernel ", r, "x", s, " (dilation ", p.dilation_h, "x", p.dilation_w,
            ") is larger than the padded input ", h + 2 * p.pad_h, "x", wd + 2 * p.pad_w,
            ": the output would be empty");
  const std::int64_t out_p = (h + 2 * p.pad_h - span_h) / p.stride_h + 1;
  const std::int64_t out_q = (wd + 2 * p.pad_w - span_w) / p.stride_w + 1;
  return {n, k, out_p, out_q};
}

// f32 or f64, and every tensor of the call of the first one's dtype and device.
void check_types(const char* op, const Tensor& first, const char* first_name,
                 std::initializer_list<std::pair<const Tensor*, const char*>> others) {
  check_defined(first, op, first_name);
  CTC_CHECK(first.dtype() == DType::f32 || first.dtype() == DType::f64, op, ": ", first_name,
            " is ", first.describe(), ", expected f32 or f64");
  for (const auto& [t, name] : others) check_same_dtype_device(first, *t, op, name);
}

void check_not_aliased(const char* op, const Tensor& out, const char* out_name, const Tensor& in,
                       const char* in_name) {
  CTC_CHECK(!out.same_data(in), op, ": ", out_name, " must not share memory with ", in_name);
}

#ifndef CTC_WITH_CUDA
[[noreturn]] void no_cuda(const char* op) {
  CTC_FAIL(op, ": tensors are on cuda: CUDA backend not built");
}
#endif

}  // namespace

Shape conv2d_output_shape(const Shape& x, const Shape& w, const Conv2dParams& p) {
  return output_shape("conv2d_output_shape", x, "x", w, "w", p);
}

void conv2d_forward(const Tensor& x, const Tensor& w, const Conv2dParams& p, Tensor& y) {
  const char* op = "conv2d_forward";
  check_types(op, x, "x", {{&w, "w"}, {&y, "y"}});
  check_shape(y, output_shape(op, x.shape(), "x", w.shape(), "w", p), op, "y");
  check_not_aliased(op, y, "y", x, "x");
  check_not_aliased(op, y, "y", w, "w");
  if (x.device() == Device::cuda) {
#ifdef CTC_WITH_CUDA
    return cuda::conv2d_forward(x, w, p, y);
#else
    no_cuda(op);
#endif
  }
  cpu::conv2d_forward(x, w, p, y);
}

void conv2d_forward_bn_act(const Tensor& x, const Tensor& w, const Conv2dParams& p,
                           const InferenceBatchNorm& bn, Tensor& y, const Tensor& gate) {
  const char* op = "conv2d_forward_bn_act";
  check_types(op, x, "x", {{&w, "w"}, {&y, "y"}});
  check_shape(y, output_shape(op, x.shape(), "x", w.shape(), "w", p), op, "y");
  check_not_aliased(op, y, "y", x, "x");
  check_not_aliased(op, y, "y", w, "w");
  check_inference_batchnorm(bn, y, op);
  if (gate.defined()) {
    check_types(op, x, "x", {{&gate, "gate"}});
    const Shape nc = {x.size(0), x.size(1)}, nc11 = {x.size(0), x.size(1), 1, 1};
    CTC_CHECK(gate.shape() == nc || gate.shape() == nc11, op, ": gate has shape ", gate.shape_str(),
              ", expected [N, C] (or [N, C, 1, 1]) of x ", x.shape_str());
  }
  cpu::conv2d_forward_bn_act(x, w, p, bn, y, gate);
}

void conv2d_forward_bn_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& input_bn,
                                  const Tensor& w, const Conv2dParams& p, const InferenceBatchNorm& bn, Tensor& y) {
  const char* op = "conv2d_forward_bn_act_concat";
  CTC_CHECK(!pieces.empty(), op, ": no pieces");
  const Tensor& x0 = pieces.front();
  check_types(op, x0, "a piece", {{&w, "w"}, {&y, "y"}});
  for (const Tensor& piece : pieces) {
    check_types(op, x0, "a piece", {{&piece, "a piece"}});
    CTC_CHECK(piece.dim() == 4 && piece.size(0) == x0.size(0) && piece.size(2) == x0.size(2) &&
                  piece.size(3) == x0.size(3),
              op, ": a piece has shape ", piece.shape_str(), ", expected [", x0.size(0), ", C, ", x0.size(2), ", ",
              x0.size(3), "]");
    check_not_aliased(op, y, "y", piece, "a piece");
  }
  const Shape xs = concat_channels_shape(pieces);
  const std::int64_t channels = xs[1];
  check_shape(y, output_shape(op, xs, "x", w.shape(), "w", p), op, "y");
  check_not_aliased(op, y, "y", w, "w");
  check_inference_batchnorm(bn, y, op);
  CTC_CHECK(!input_bn.residual.defined(), op, ": input_bn has a residual");
  for (const Tensor* t : {&input_bn.gamma, &input_bn.beta, &input_bn.running_mean, &input_bn.running_var})
    CTC_CHECK(t->dim() == 1 && t->numel() == channels && t->dtype() == x0.dtype() && t->device() == Device::cpu, op,
              ": input_bn's statistics are ", t->describe(), ", expected [", channels, "] ", dtype_name(x0.dtype()),
              " on the CPU");
  cpu::conv2d_forward_bn_act_concat(pieces, input_bn, w, p, bn, y);
}

void conv2d_forward_expand_depthwise(const Tensor& x, const Tensor& w_expand, const Conv2dParams& p_expand,
                                     const InferenceBatchNorm& bn_expand, const Tensor& w_depthwise,
                                     const Conv2dParams& p_depthwise, const InferenceBatchNorm& bn_depthwise,
                                     Tensor& y, Tensor& means) {
  const char* op = "conv2d_forward_expand_depthwise";
  check_types(op, x, "x", {{&w_expand, "w_expand"}, {&w_depthwise, "w_depthwise"}, {&y, "y"}, {&means, "means"}});
  const Shape expanded = output_shape(op, x.shape(), "x", w_expand.shape(), "w_expand", p_expand);
  CTC_CHECK(p_depthwise.groups == expanded[1], op, ": p_depthwise.groups is ", p_depthwise.groups,
            ", expected the ", expanded[1], " expanded channels (a depthwise convolution)");
  check_shape(y, output_shape(op, expanded, "the expansion's output", w_depthwise.shape(), "w_depthwise", p_depthwise),
              op, "y");
  check_not_aliased(op, y, "y", x, "x");
  check_not_aliased(op, y, "y", w_expand, "w_expand");
  check_not_aliased(op, y, "y", w_depthwise, "w_depthwise");
  check_shape(means, {y.size(0), y.size(1)}, op, "means");
  check_not_aliased(op, means, "means", y, "y");
  check_inference_batchnorm(bn_expand, y, op);
  check_inference_batchnorm(bn_depthwise, y, op);
  CTC_CHECK(!bn_expand.residual.defined() && !bn_depthwise.residual.defined(), op,
            ": a batch norm has a residual; neither convolution here adds one");
  cpu::conv2d_forward_expand_depthwise(x, w_expand, p_expand, bn_expand, w_depthwise, p_depthwise, bn_depthwise, y,
                                       means);
}

void conv2d_backward_data(const Tensor& dy, const Tensor& w, const Conv2dParams& p, Tensor& dx) {
  const char* op = "conv2d_backward_data";
  check_types(op, dy, "dy", {{&w, "w"}, {&dx, "dx"}});
  check_shape(dy, output_shape(op, dx.shape(), "dx", w.shape(), "w", p), op, "dy");
  check_not_aliased(op, dx, "dx", dy, "dy");
  check_not_aliased(op, dx, "dx", w, "w");
  if (dy.device() == Device::cuda) {
#ifdef CTC_WITH_CUDA
    return cuda::conv2d_backward_data(dy, w, p, dx);
#else
    no_cuda(op);
#endif
  }
  cpu::conv2d_backward_data(dy, w, p, dx);
}

void conv2d_backward_filter(const Tensor& dy, const Tensor& x, const Conv2dParams& p, Tensor& dw) {
  const char* op = "conv2d_backward_filter";
  check_types(op, dy, "dy", {{&x, "x"}, {&dw, "dw"}});
  check_shape(dy, output_shape(op, x.shape(), "x", dw.shape(), "dw", p), op, "dy");
  check_not_aliased(op, dw, "dw", dy, "dy");
  check_not_aliased(op, dw, "dw", x, "x");
  if (dy.device() == Device::cuda) {
#ifdef CTC_WITH_CUDA
    return cuda::conv2d_backward_filter(dy, x, p, dw);
#else
    no_cuda(op);
#endif
  }
  cpu::conv2d_backward_filter(dy, x, p, dw);
}

}  // namespace ctcscope
