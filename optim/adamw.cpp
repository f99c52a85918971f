// AdamW: per-parameter state and the step count around the adamw_step kernel.
#include "optim/adamw.h"

#include <set>

#include "kernels/adamw.h"

namespace ctcscope {

namespace {

void check_options(const AdamWOptions& o) {
  CTC_CHECK(o.lr >= 0.0, "AdamW: lr must be >= 0, got ", o.lr);
  CTC_CHECK(o.eps >= 0.0, "AdamW: eps must be >= 0, got ", o.eps);
  CTC_CHECK(o.beta1 >= 0.0 && o.beta1 < 1.0, "AdamW: beta1 must be in [0,1), got ", o.beta1);
  CTC_CHECK(o.beta2 >= 0.0 && o.beta2 < 1.0, "AdamW: beta2 must be in [0,1), got ", o.beta2);
  CTC_CHECK(o.weight_decay >= 0.0, "AdamW: weight_decay must be >= 0, got ", o.weight_decay);
}

}  // namespace

AdamW::AdamW(std::vector<Named<Parameter>> params, AdamWOptions options) : options_(options) {
  check_options(options_);
  std::set<std::string> seen;
  slots_.reserve(params.size());
  for (auto& p : params) {
    CTC_CHECK(p.item != nullptr, "AdamW: parameter '", p.name, "' is null");
    CTC_CHECK(p.item->value.defined(), "AdamW: parameter '", p.name, "' has no value");
    CTC_CHECK(seen.insert(p.name).second, "AdamW: parameter name '", p.name, "' appears twice");
    slots_.push_back(Slot{p.name, p.item, Tensor(), Tensor()});
  }
}

void AdamW::set_lr(double lr) {
  CTC_CHECK(lr >= 0.0, "AdamW: lr must be >= 0, got ", lr);
  options_.lr = lr;
}

void AdamW::set_step_count(std::int64_t steps) {
  CTC_CHECK(steps >= 0, "AdamW: step count must be >= 0, got ", steps);
  step_count_ = steps;
}

void AdamW::ensure_state(Slot& slot) {
  const Tensor& v = slot.param->value;
  if (!slot.exp_avg.defined()) slot.exp_avg = Tensor::zeros(v.shape(), v.dtype(), v.device());
  if (!slot.exp_avg_sq.defined()) {
    slot.exp_avg_sq = Tensor::zeros(v.shape(), v.dtype(), v.device());
  }
}

void AdamW::step() {
  ++step_count_;
  AdamWStep s;
  s.lr = options_.lr;
  s.beta1 = options_.beta1;
  s.beta2 = options_.beta2;
  s.eps = options_.eps;
  s.weight_decay = options_.weight_decay;
  s.step = step_count_;
  std::vector<AdamWSlot> update;
  update.reserve(slots_.size());
  for (Slot& slot : slots_) {
    if (!slot.param->grad.defined()) continue;
    ensure_state(slot);
    update.push_back(AdamWSlot{&slot.param->grad, &slot.param->value, &slot.exp_avg,
                               &slot.exp_avg_sq});
  }
  adamw_step_multi(update, s);
}

std::vector<Named<Tensor>> AdamW::state() {
  std::vector<Named<Tensor>> out;
  out.reserve(2 * slots_.size());
  for (Slot& slot : slots_) {
    ensure_state(slot);
    out.push_back({slot.name + ".exp_avg", &slot.exp_avg});
    out.push_back({slot.name + ".exp_avg_sq", &slot.exp_avg_sq});
  }
  return out;
}

}  // namespace ctcscope
