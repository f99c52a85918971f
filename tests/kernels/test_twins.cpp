// The kernel table: every row is checked three ways against its plain
// reference (kernels/reference/): the CPU twin in f64 and in f32, and the
// CUDA kernel in strict fp32 (skipped, with the reason, without a GPU).
// Shapes are awkward on purpose: odd sizes, batch 1 and more, padding,
// strides, dilation, groups; every backward rides in the row of its forward.
#include <gtest/gtest.h>

#include "kernels/activation.h"
#include "kernels/adamw.h"
#include "kernels/batchnorm.h"
#include "kernels/bias.h"
#include "kernels/channel_scale.h"
#include "kernels/concat.h"
#include "kernels/conv.h"
#include "kernels/dropout.h"
#include "kernels/elementwise.h"
#include "kernels/linear.h"
#include "kernels/loss.h"
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
Tensor uniform(const Shape& s, const std::string& name, double low, double high) {
  return random_uniform(s, Seed{"twins." + name}, low, high, DType::f64);
}

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

// An activation's forward and backward, the backward fed the op's own output
// (or input) as the layers feed it. `Backward` reads y or x, as its header says.
using ActivationForward = void (*)(const Tensor&, Tensor&);
using ActivationBackward = void (*)(const Tensor&, const Tensor&, Tensor&);
using ReferenceForward = Tensor (*)(const Tensor&);
using ReferenceBackward = Tensor (*)(const Tensor&, const Tensor&);
void add_activation(std::vector<TwinRow>& rows, const std::string& op, const std::string& name, const Shape& xs,
                    ActivationForward forward, ActivationBackward backward, bool backward_reads_y,
                    ReferenceForward ref_forward, ReferenceBackward ref_backward) {
  rows.push_back({op + "_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(xs, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], xs), dx = output_like(in[0], xs);
                    forward(in[0], y);
                    backward(in[1], backward_reads_y ? y : in[0], dx);
                    return Tensors{y, dx};
                  },
                  [=](const Tensors& in) {
                    const Tensor y = ref_forward(in[0]);
                    return Tensors{y, ref_backward(in[1], backward_reads_y ? y : in[0])};
                  },
                  {"y", "dx"}});
}

void add_activations(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs) {
  add_activation(rows, "relu", name, xs, relu_forward, relu_backward, true, reference::relu_forward,
                 reference::relu_backward);
  add_activation(rows, "silu", name, xs, silu_forward, silu_backward, false, reference::silu_forward,
                 reference::silu_backward);
  add_activation(rows, "sigmoid", name, xs, sigmoid_forward, sigmoid_backward, true, reference::sigmoid_forward,
                 reference::sigmoid_backward);
}

// Both bias calls accumulate, so y and db start from random values, not zero.
void add_bias(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs) {
  const Shape cs{xs[1]};
  rows.push_back({"bias_channels_" + name,
                  [=] {
                    return Tensors{normal(cs, name + ".b"), normal(xs, name + ".y"), normal(xs, name + ".dy"),
                                   normal(cs, name + ".db")};
                  },
                  [=](const Tensors& in) {
                    Tensor y = in[1].clone(), db = in[3].clone();
                    bias_add_channels(in[0], y);
                    bias_backward_channels(in[2], db);
                    return Tensors{y, db};
                  },
                  [=](const Tensors& in) {
                    return Tensors{reference::bias_add_channels(in[0], in[1]), reference::bias_backward_channels(in[2], in[3])};
                  },
                  {"y", "db"}});
}

// add into a fresh output, into one of its inputs, and add_inplace (which accumulates).
void add_elementwise(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs) {
  rows.push_back({"add_" + name, [=] { return Tensors{normal(xs, name + ".a"), normal(xs, name + ".b")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], xs), y_is_a = in[0].clone(), y_inplace = in[1].clone();
                    add(in[0], in[1], y);
                    add(y_is_a, in[1], y_is_a);
                    add_inplace(in[0], y_inplace);
                    return Tensors{y, y_is_a, y_inplace};
                  },
                  [=](const Tensors& in) {
                    const Tensor sum = reference::add(in[0], in[1]);
                    return Tensors{sum, sum, sum};
                  },
                  {"y", "y_is_a", "add_inplace"}});
}

// The scale s as [N,C] or [N,C,1,1] (`ss`); ds comes back in the shape of s.
void add_channel_scale(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs, const Shape& ss) {
  rows.push_back({"channel_scale_" + name,
                  [=] { return Tensors{normal(xs, name + ".x"), normal(ss, name + ".s"), normal(xs, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], xs), dx = output_like(in[0], xs), ds = output_like(in[0], ss);
                    channel_scale_forward(in[0], in[1], y);
                    channel_scale_backward(in[2], in[0], in[1], dx, ds);
                    return Tensors{y, dx, ds};
                  },
                  [=](const Tensors& in) {
                    const reference::ChannelScaleGrads g = reference::channel_scale_backward(in[2], in[0], in[1]);
                    return Tensors{reference::channel_scale_forward(in[0], in[1]), g.dx, g.ds};
                  },
                  {"y", "dx", "ds"}});
}

// Pieces of `channels` channels each on one N, H, W; the last input is dy.
void add_concat(std::vector<TwinRow>& rows, const std::string& name, std::int64_t N, const std::vector<std::int64_t>& channels,
                std::int64_t H, std::int64_t W) {
  std::int64_t C = 0;
  for (const std::int64_t c : channels) C += c;
  const std::size_t k = channels.size();
  std::vector<std::string> outputs{"y"};
  for (std::size_t i = 0; i < k; ++i) outputs.push_back("dx" + std::to_string(i));
  rows.push_back({"concat_channels_" + name,
                  [=] {
                    Tensors in;
                    for (std::size_t i = 0; i < k; ++i) in.push_back(normal({N, channels[i], H, W}, name + ".x" + std::to_string(i)));
                    in.push_back(normal({N, C, H, W}, name + ".dy"));
                    return in;
                  },
                  [=](const Tensors& in) {
                    const std::vector<Tensor> pieces(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(k));
                    Tensor y = output_like(in[0], {N, C, H, W});
                    concat_channels(pieces, y);
                    std::vector<Tensor> dxs;
                    for (std::size_t i = 0; i < k; ++i) dxs.push_back(output_like(in[0], {N, channels[i], H, W}));
                    split_channels(in[k], dxs);
                    Tensors out{y};
                    out.insert(out.end(), dxs.begin(), dxs.end());
                    return out;
                  },
                  [=](const Tensors& in) {
                    const std::vector<Tensor> pieces(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(k));
                    Tensors out{reference::concat_channels(pieces)};
                    const std::vector<Tensor> dxs = reference::split_channels(in[k], channels);
                    out.insert(out.end(), dxs.begin(), dxs.end());
                    return out;
                  },
                  outputs});
}

// Softmax, cross-entropy forward and backward (dloss not 1, to see it applied).
// Labels cycle through the classes so every class appears once N >= K.
void add_cross_entropy(std::vector<TwinRow>& rows, const std::string& name, std::int64_t N, std::int64_t K,
                       bool class_weights, double label_smoothing) {
  const CrossEntropyParams p{.label_smoothing = label_smoothing};
  const double dloss = 0.75;
  rows.push_back({"cross_entropy_" + name,
                  [=] {
                    std::vector<std::int64_t> labels(static_cast<std::size_t>(N));
                    for (std::int64_t i = 0; i < N; ++i) labels[i] = (3 * i + 1) % K;
                    return Tensors{normal({N, K}, name + ".z"), Tensor::from_vector(labels, {N}),
                                   class_weights ? uniform({K}, name + ".w", 0.5, 2.0) : Tensor()};
                  },
                  [=](const Tensors& in) {
                    Tensor softmax = output_like(in[0], {N, K}), probs = output_like(in[0], {N, K});
                    Tensor loss = output_like(in[0], {1}), dz = output_like(in[0], {N, K});
                    softmax_forward(in[0], softmax);
                    const double returned = cross_entropy_forward(in[0], in[1], in[2], p, probs, loss);
                    cross_entropy_backward(probs, in[1], in[2], p, dloss, dz);
                    return Tensors{softmax, probs, loss, Tensor::from_vector(std::vector<double>{returned}, {1}), dz};
                  },
                  [=](const Tensors& in) {
                    const reference::CrossEntropyResult f = reference::cross_entropy_forward(in[0], in[1], in[2], p);
                    return Tensors{reference::softmax_forward(in[0]), f.probs, f.loss, f.loss,
                                   reference::cross_entropy_backward(f.probs, in[1], in[2], p, dloss)};
                  },
                  {"softmax", "probs", "loss", "loss_returned", "dlogits"}});
}

// One AdamW step on one parameter (adamw_step) and on two at once
// (adamw_step_multi, one launch on the GPU). exp_avg_sq starts positive.
void add_adamw(std::vector<TwinRow>& rows, const std::string& name, const Shape& s1, const Shape& s2, AdamWStep step) {
  auto state = [=](const Shape& s, const std::string& k) {
    return Tensors{normal(s, name + k + ".g"), normal(s, name + k + ".p"), normal(s, name + k + ".m"),
                   uniform(s, name + k + ".v", 0.0, 2.0)};
  };
  rows.push_back({"adamw_step_" + name, [=] { return state(s1, ".1"); },
                  [=](const Tensors& in) {
                    Tensor param = in[1].clone(), m = in[2].clone(), v = in[3].clone();
                    adamw_step(in[0], step, param, m, v);
                    return Tensors{param, m, v};
                  },
                  [=](const Tensors& in) {
                    const reference::AdamWState r = reference::adamw_step(in[0], step, in[1], in[2], in[3]);
                    return Tensors{r.param, r.exp_avg, r.exp_avg_sq};
                  },
                  {"param", "exp_avg", "exp_avg_sq"}});
  rows.push_back({"adamw_step_multi_" + name,
                  [=] {
                    Tensors in = state(s1, ".1");
                    const Tensors second = state(s2, ".2");
                    in.insert(in.end(), second.begin(), second.end());
                    return in;
                  },
                  [=](const Tensors& in) {
                    Tensors out;
                    for (std::size_t k = 0; k < 6; ++k) out.push_back(in[1 + k % 3 + 4 * (k / 3)].clone());
                    adamw_step_multi({{&in[0], &out[0], &out[1], &out[2]}, {&in[4], &out[3], &out[4], &out[5]}}, step);
                    return out;
                  },
                  [=](const Tensors& in) {
                    const reference::AdamWState a = reference::adamw_step(in[0], step, in[1], in[2], in[3]);
                    const reference::AdamWState b = reference::adamw_step(in[4], step, in[5], in[6], in[7]);
                    return Tensors{a.param, a.exp_avg, a.exp_avg_sq, b.param, b.exp_avg, b.exp_avg_sq};
                  },
                  {"param1", "exp_avg1", "exp_avg_sq1", "param2", "exp_avg2", "exp_avg_sq2"}});
}

// Dropout (elementwise) and stochastic depth (per sample): y, the mask, and dx.
void add_dropout(std::vector<TwinRow>& rows, const std::string& name, const Shape& xs, double p) {
  const Seed seed{"twins." + name + ".mask", 2};
  rows.push_back({"dropout_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(xs, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], xs), mask = output_like(in[0], xs), dx = output_like(in[0], xs);
                    dropout_forward(in[0], p, seed, y, mask);
                    dropout_backward(in[1], mask, dx);
                    return Tensors{y, mask, dx};
                  },
                  [=](const Tensors& in) {
                    const Tensor mask = reference::dropout_mask(xs, p, seed);
                    return Tensors{reference::dropout_apply(in[0], mask), mask, reference::dropout_apply(in[1], mask)};
                  },
                  {"y", "mask", "dx"}});
  const Shape ms{xs[0]};
  rows.push_back({"stochastic_depth_" + name, [=] { return Tensors{normal(xs, name + ".x"), normal(xs, name + ".dy")}; },
                  [=](const Tensors& in) {
                    Tensor y = output_like(in[0], xs), mask = output_like(in[0], ms), dx = output_like(in[0], xs);
                    stochastic_depth_forward(in[0], p, seed, y, mask);
                    stochastic_depth_backward(in[1], mask, dx);
                    return Tensors{y, mask, dx};
                  },
                  [=](const Tensors& in) {
                    const Tensor mask = reference::dropout_mask(ms, p, seed);
                    return Tensors{reference::stochastic_depth_apply(in[0], mask), mask,
                                   reference::stochastic_depth_apply(in[1], mask)};
                  },
                  {"y", "mask", "dx"}});
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
  add_activations(rows, "1x3x5x7", {1, 3, 5, 7});
  add_activations(rows, "4x3x9x11", {4, 3, 9, 11});
  add_bias(rows, "1x5x3x7", {1, 5, 3, 7});
  add_bias(rows, "3x4x5x9", {3, 4, 5, 9});
  add_elementwise(rows, "1x3x5x7", {1, 3, 5, 7});
  add_elementwise(rows, "3x5x9x7", {3, 5, 9, 7});
  add_channel_scale(rows, "1x5x3x7_s2d", {1, 5, 3, 7}, {1, 5});
  add_channel_scale(rows, "3x4x9x5_s4d", {3, 4, 9, 5}, {3, 4, 1, 1});
  add_concat(rows, "batch1_1_3", 1, {1, 3}, 5, 7);
  add_concat(rows, "batch3_2_1_5", 3, {2, 1, 5}, 3, 9);
  add_cross_entropy(rows, "plain_batch1", 1, 2, false, 0.0);
  add_cross_entropy(rows, "weighted_smoothed", 7, 5, true, 0.1);
  add_cross_entropy(rows, "smoothed", 9, 3, false, 0.2);
  add_adamw(rows, "step1", {7}, {3, 5}, {.lr = 1e-2, .weight_decay = 0.05, .step = 1});
  add_adamw(rows, "step7", {5, 3, 3, 3}, {1}, {.lr = 3e-3, .beta1 = 0.8, .beta2 = 0.99, .weight_decay = 0.1, .step = 7});
  add_dropout(rows, "p03_3x5x7", {3, 5, 7}, 0.3);
  add_dropout(rows, "p1_batch1", {1, 4, 5}, 1.0);
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
