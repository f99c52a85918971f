// The kernel table: every row is checked three ways against its plain
// reference (kernels/reference/): the CPU twin in f64 and in f32, and the
// CUDA kernel in strict fp32 (skipped, with the reason, without a GPU).
// Shapes are awkward on purpose: odd sizes, padding, strides, dilation, groups.
#include <gtest/gtest.h>

#include "kernels/batchnorm.h"
#include "kernels/conv.h"
#include "kernels/linear.h"
#include "kernels/pool.h"
#include "kernels/reference/reference.h"
#include "tensor/random.h"
#include "tests/kernels/twin_check.h"

namespace ctcscope {
namespace {

using test::output_like;
using test::Tensors;
using test::TwinRow;

Tensor normal(const Shape& s, const std::string& name) { return random_normal(s, Seed{"twins." + name}, 0.0, 1.0, DType::f64); }

// Convolution: forward, backward data and backward filter for one shape.
void add_conv(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs, const Shape& ws, Conv2dParams p) {
  const Shape ys = conv2d_output_shape(xs, ws, p);
  rows.push_back({"conv2d_forward_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(ws, name + ".w")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], ys);
                    conv2d_forward(in[0], in[1], p, y);
                    return Tensors{y};
                  },
                  [=](const Tensors& in) { return Tensors{reference::conv2d_forward(in[0], in[1], p)}; }, {"y"}});
  rows.push_back({"conv2d_backward_data_" + name, [=] { return Tensors{normal(ys, name + ".dy"), normal(ws, name + ".w")}; },
                  [=](const Tensors& in) {
                    Tensor dx = output_like(in[0], xs);
                    conv2d_backward_data(in[0], in[1], p, dx);
                    return Tensors{dx};
                  },
                  [=](const Tensors& in) { return Tensors{reference::conv2d_backward_data(in[0], in[1], xs, p)}; },
                  {"dx"}});
  rows.push_back({"conv2d_backward_filter_" + name,
                  [=] { return Tensors{normal(ys, name + ".dy"), normal(xs, name + ".x")}; },
                  [=](const Tensors& in) {
                    Tensor dw = output_like(in[0], ws);
                    conv2d_backward_filter(in[0], in[1], p, dw);
                    return Tensors{dw};
                  },
                  [=](const Tensors& in) { return Tensors{reference::conv2d_backward_filter(in[0], in[1], ws, p)}; },
                  {"dw"}});
}

void add_linear(std::vector<TwinRow>& rows, const std::string& name, std::int64_t N, std::int64_t I, std::int64_t O,
                bool bias) {
  rows.push_back({"linear_" + name,
                  [=] {
                    return Tensors{normal({N, I}, name + ".x"), normal({O, I}, name + ".w"),
                                   bias ? normal({O}, name + ".b") : Tensor(), normal({N, O}, name + ".dy")};
                  },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], {N, O}), dx = output_like(in[0], {N, I}), dw = output_like(in[0], {O, I});
                    Tensor db = bias ? output_like(in[0], {O}) : Tensor();
                    linear_forward(in[0], in[1], in[2], y);
                    linear_backward_data(in[3], in[1], dx);
                    linear_backward_weight(in[3], in[0], dw, db);
                    return bias ? Tensors{y, dx, dw, db} : Tensors{y, dx, dw};
                  },
                  [=](const Tensors& in) {
                    Tensors out{reference::linear_forward(in[0], in[1], in[2]), reference::linear_backward_data(in[3], in[1]),
                                reference::linear_backward_weight(in[3], in[0])};
                    if (bias) out.push_back(reference::linear_backward_bias(in[3]));
                    return out;
                  },
                  {"y", "dx", "dw", "db"}});
}

void add_pool(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs, Pool2dParams p) {
  const Shape ys = pool2d_output_shape(xs, p);
  rows.push_back({"maxpool2d_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(ys, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], ys), idx = output_like(in[0], ys, DType::i32), dx = output_like(in[0], xs);
                    maxpool2d_forward(in[0], p, y, idx);
                    maxpool2d_backward(in[1], idx, p, dx);
                    return Tensors{y, idx, dx};
                  },
                  [=](const Tensors& in) {
                    const reference::MaxPoolResult f = reference::maxpool2d_forward(in[0], p);
                    return Tensors{f.y, f.indices, reference::maxpool2d_backward(in[1], f.indices, xs)};
                  },
                  {"y", "indices", "dx"}});
  rows.push_back({"avgpool2d_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(ys, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], ys), dx = output_like(in[0], xs);
                    avgpool2d_forward(in[0], p, y);
                    avgpool2d_backward(in[1], p, dx);
                    return Tensors{y, dx};
                  },
                  [=](const Tensors& in) {
                    return Tensors{reference::avgpool2d_forward(in[0], p), reference::avgpool2d_backward(in[1], xs, p)};
                  },
                  {"y", "dx"}});
}

void add_global_pool(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs) {
  const Shape ys{xs[0], xs[1]};
  rows.push_back({"global_avgpool_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(ys, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], ys), dx = output_like(in[0], xs);
                    global_avgpool_forward(in[0], y);
                    global_avgpool_backward(in[1], dx);
                    return Tensors{y, dx};
                  },
                  [=](const Tensors& in) {
                    return Tensors{reference::global_avgpool_forward(in[0]), reference::global_avgpool_backward(in[1], xs)};
                  },
                  {"y", "dx"}});
}

// Batch norm in training mode (forward, running statistics, backward) and in inference mode.
void add_batchnorm(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs) {
  const Shape cs{xs[1]};
  const BatchNormParams p;
  rows.push_back({"batchnorm2d_train_" + name,
                  [=] {
                    return Tensors{normal(xs, name + ".x"), normal(cs, name + ".gamma"), normal(cs, name + ".beta"),
                                   normal(cs, name + ".rm"), random_uniform(cs, Seed{"twins." + name + ".rv"}, 0.5, 2.0, DType::f64),
                                   normal(xs, name + ".dy")};
                  },
                  [=](const Tensors& in) {
                    Tensor rm = in[3].clone(), rv = in[4].clone(), y = output_like(in[0], xs);
                    Tensor mean = output_like(in[0], cs), invstd = output_like(in[0], cs);
                    batchnorm2d_forward_train(in[0], in[1], in[2], p, rm, rv, y, mean, invstd);
                    Tensor dx = output_like(in[0], xs), dg = output_like(in[0], cs), db = output_like(in[0], cs);
                    batchnorm2d_backward(in[5], in[0], in[1], mean, invstd, p, dx, dg, db);
                    return Tensors{y, mean, invstd, rm, rv, dx, dg, db};
                  },
                  [=](const Tensors& in) {
                    const auto f = reference::batchnorm2d_forward_train(in[0], in[1], in[2], in[3], in[4], p);
                    const auto b = reference::batchnorm2d_backward(in[5], in[0], in[1], f.saved_mean, f.saved_invstd);
                    return Tensors{f.y, f.saved_mean, f.saved_invstd, f.running_mean, f.running_var, b.dx, b.dgamma, b.dbeta};
                  },
                  {"y", "saved_mean", "saved_invstd", "running_mean", "running_var", "dx", "dgamma", "dbeta"}});
  rows.push_back({"batchnorm2d_infer_" + name,
                  [=] {
                    return Tensors{normal(xs, name + ".x"), normal(cs, name + ".gamma"), normal(cs, name + ".beta"),
                                   normal(cs, name + ".rm"), random_uniform(cs, Seed{"twins." + name + ".rv"}, 0.5, 2.0, DType::f64)};
                  },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], xs);
                    batchnorm2d_forward_infer(in[0], in[1], in[2], in[3], in[4], p, y);
                    return Tensors{y};
                  },
                  [=](const Tensors& in) {
                    return Tensors{reference::batchnorm2d_forward_infer(in[0], in[1], in[2], in[3], in[4], p)};
                  },
                  {"y"}});
}

std::vector<TwinRow> kernel_table() {
  std::vector<TwinRow> rows;
  add_conv(rows, "3x3_pad1", {2, 3, 7, 6}, {4, 3, 3, 3}, {.pad_h = 1, .pad_w = 1});
  add_conv(rows, "7x7_stride2_pad3", {1, 3, 13, 11}, {5, 3, 7, 7}, {.stride_h = 2, .stride_w = 2, .pad_h = 3, .pad_w = 3});
  add_conv(rows, "1x1_stride2", {2, 6, 5, 5}, {4, 6, 1, 1}, {.stride_h = 2, .stride_w = 2});
  add_conv(rows, "3x3_dilation2_groups2", {2, 4, 9, 8}, {6, 2, 3, 3},
           {.pad_h = 2, .pad_w = 2, .dilation_h = 2, .dilation_w = 2, .groups = 2});
  add_conv(rows, "depthwise_5x5_stride2", {2, 5, 9, 10}, {5, 1, 5, 5},
           {.stride_h = 2, .stride_w = 2, .pad_h = 2, .pad_w = 2, .groups = 5});
  add_linear(rows, "bias", 7, 33, 5, true);
  add_linear(rows, "no_bias", 3, 4, 6, false);
  add_pool(rows, "3x3_stride2_pad1", {2, 3, 9, 8}, {.kernel_h = 3, .kernel_w = 3, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1});
  add_pool(rows, "2x2_stride2_exclude_pad", {1, 2, 7, 7},
           {.kernel_h = 2, .kernel_w = 2, .stride_h = 2, .stride_w = 2, .pad_h = 1, .pad_w = 1, .count_include_pad = false});
  add_global_pool(rows, "5x7", {2, 3, 5, 7});
  add_batchnorm(rows, "3x4x7x5", {3, 4, 7, 5});
  return rows;
}

class KernelTwins : public ::testing::TestWithParam<TwinRow> {};

TEST_P(KernelTwins, CpuF64MatchesReference) { test::check_twin(GetParam(), test::TwinRun::cpu_f64); }
TEST_P(KernelTwins, CpuF32MatchesReference) { test::check_twin(GetParam(), test::TwinRun::cpu_f32); }
TEST_P(KernelTwins, CudaStrictF32MatchesReference) {
  CTC_REQUIRE_CUDA();
  test::check_twin(GetParam(), test::TwinRun::cuda_strict_f32);
}

INSTANTIATE_TEST_SUITE_P(Table, KernelTwins, ::testing::ValuesIn(kernel_table()),
                         [](const ::testing::TestParamInfo<TwinRow>& info) { return info.param.name; });

}  // namespace
}  // namespace ctcscope
