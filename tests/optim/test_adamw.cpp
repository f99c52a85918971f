// The AdamW optimizer (optim/adamw.h) over a tiny two-parameter module: state
// names and lazy creation, step counting, lr changes, skipped parameters, and
// agreement with direct adamw_step calls.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "kernels/adamw.h"
#include "optim/adamw.h"
#include "tests/support/test_util.h"

namespace ctcscope {
namespace {

using test::expect_close;
namespace tol = test::tol;

// y = x (the optimizer never calls forward/backward): a weight and a bias.
class TwoParams : public Module {
 public:
  TwoParams() {
    register_parameter("weight", random_normal({2, 3}, Seed{"optim.weight"}));
    register_parameter("bias", random_normal({3}, Seed{"optim.bias"}));
  }
  Tensor run_forward(const Tensor& x) override { return x; }
  Tensor run_backward(const Tensor& dy) override { return dy; }
  std::string describe() const override { return "TwoParams"; }
};

// Gives the parameters dotted names: "fc.weight", "fc.bias".
class Net : public Module {
 public:
  Net() { fc = &register_module("fc", std::make_unique<TwoParams>()); }
  Tensor run_forward(const Tensor& x) override { return fc->forward(x); }
  Tensor run_backward(const Tensor& dy) override { return fc->backward(dy); }
  std::string describe() const override { return "Net"; }
  TwoParams* fc;
};

void set_grads(Module& m, std::uint64_t step) {
  for (auto& p : m.named_parameters()) {
    Seed seed{"optim.grad." + p.name, step};
    p.item->grad.copy_from(random_normal(p.item->value.shape(), seed));
  }
}

TEST(AdamW, StateNamesInParameterOrder) {
  Net net;
  AdamW opt(net.named_parameters());
  auto state = opt.state();
  ASSERT_EQ(state.size(), 4u);
  EXPECT_EQ(state[0].name, "fc.weight.exp_avg");
  EXPECT_EQ(state[1].name, "fc.weight.exp_avg_sq");
  EXPECT_EQ(state[2].name, "fc.bias.exp_avg");
  EXPECT_EQ(state[3].name, "fc.bias.exp_avg_sq");
  EXPECT_EQ(state[0].item->shape(), (Shape{2, 3}));
  EXPECT_EQ(state[3].item->shape(), (Shape{3}));
  for (auto& s : state) {
    for (double v : s.item->to_double_vector()) EXPECT_EQ(v, 0.0) << s.name;
  }
}

TEST(AdamW, DefaultsAreTorchs) {
  AdamWOptions o;
  EXPECT_EQ(o.lr, 1e-3);
  EXPECT_EQ(o.beta1, 0.9);
  EXPECT_EQ(o.beta2, 0.999);
  EXPECT_EQ(o.eps, 1e-8);
  EXPECT_EQ(o.weight_decay, 1e-2);
}

// Three steps through the optimizer, with an lr change before the third,
// equal three direct adamw_step calls on copies.
TEST(AdamW, StepsMatchKernelAndCountSteps) {
  Net net;
  AdamWOptions options;
  options.lr = 1e-2;
  options.weight_decay = 0.1;
  AdamW opt(net.named_parameters(), options);

  std::vector<Tensor> w, m, v;
  for (auto& p : net.named_parameters()) {
    w.push_back(p.item->value.clone());
    m.push_back(Tensor::zeros(p.item->value.shape()));
    v.push_back(Tensor::zeros(p.item->value.shape()));
  }
  const double lrs[] = {1e-2, 1e-2, 5e-3};
  for (std::int64_t t = 1; t <= 3; ++t) {
    if (t == 3) opt.set_lr(5e-3);
    EXPECT_EQ(opt.lr(), lrs[t - 1]);
    set_grads(net, static_cast<std::uint64_t>(t));
    opt.step();
    EXPECT_EQ(opt.step_count(), t);
    AdamWStep s;
    s.lr = lrs[t - 1];
    s.weight_decay = 0.1;
    s.step = t;
    auto params = net.named_parameters();
    for (std::size_t i = 0; i < params.size(); ++i) {
      adamw_step(params[i].item->grad, s, w[i], m[i], v[i]);
    }
  }
  auto params = net.named_parameters();
  auto state = opt.state();
  for (std::size_t i = 0; i < params.size(); ++i) {
    expect_close(params[i].item->value, w[i], tol::kDouble, params[i].name);
    expect_close(*state[2 * i].item, m[i], tol::kDouble, state[2 * i].name);
    expect_close(*state[2 * i + 1].item, v[i], tol::kDouble, state[2 * i + 1].name);
  }
}

TEST(AdamW, ZeroLrLeavesParametersButUpdatesState) {
  TwoParams net;
  AdamW opt(net.named_parameters(), AdamWOptions{0.0, 0.9, 0.999, 1e-8, 0.1});
  Tensor before = net.named_parameters()[0].item->value.clone();
  set_grads(net, 1);
  opt.step();
  expect_close(net.named_parameters()[0].item->value, before, tol::kDouble, "weight");
  EXPECT_NE(opt.state()[0].item->item(0), 0.0);
}

TEST(AdamW, SkipsParametersWithoutGrad) {
  TwoParams net;
  AdamW opt(net.named_parameters());
  set_grads(net, 1);
  Parameter* bias = net.named_parameters()[1].item;
  bias->grad = Tensor();
  Tensor bias_before = bias->value.clone();
  opt.step();
  expect_close(bias->value, bias_before, tol::kDouble, "bias");
  for (double x : opt.state()[3].item->to_double_vector()) EXPECT_EQ(x, 0.0);
}

// Resuming: set the step count and load the state, and the next step is the
// one an uninterrupted optimizer would take.
TEST(AdamW, ResumeFromStateAndStepCount) {
  TwoParams a, b;
  AdamW opt_a(a.named_parameters());
  for (std::uint64_t t = 1; t <= 2; ++t) {
    set_grads(a, t);
    opt_a.step();
  }
  auto pa = a.named_parameters(), pb = b.named_parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) pb[i].item->value.copy_from(pa[i].item->value);
  AdamW opt_b(b.named_parameters());
  opt_b.set_step_count(opt_a.step_count());
  auto sa = opt_a.state(), sb = opt_b.state();
  for (std::size_t i = 0; i < sa.size(); ++i) {
    ASSERT_EQ(sa[i].name, sb[i].name);
    sb[i].item->copy_from(*sa[i].item);
  }
  set_grads(a, 3);
  set_grads(b, 3);
  opt_a.step();
  opt_b.step();
  EXPECT_EQ(opt_b.step_count(), 3);
  for (std::size_t i = 0; i < pa.size(); ++i) {
    expect_close(pb[i].item->value, pa[i].item->value, tol::kDouble, pb[i].name);
  }
}

TEST(AdamW, RejectsBadArguments) {
  TwoParams net;
  auto params = net.named_parameters();
  params.push_back(params[0]);
  EXPECT_THROW(AdamW{params}, Error);
  AdamW opt(net.named_parameters());
  EXPECT_THROW(opt.set_lr(-1.0), Error);
  EXPECT_THROW(opt.set_step_count(-1), Error);
  EXPECT_THROW(AdamW(net.named_parameters(), AdamWOptions{1e-3, 1.0, 0.999, 1e-8, 0.0}), Error);
}

}  // namespace
}  // namespace ctcscope
