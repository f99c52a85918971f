// Module bookkeeping: registration, names, modes, zero_grad, dtype, and the
// profiled forward and backward (layers/profiler.h).
#include "layers/module.h"

#include "layers/profiler.h"

namespace ctcscope {

// A layer that throws leaves its record open; the profile is then abandoned.
Tensor Module::profiled_forward(const Tensor& x) {
  LayerProfile& profile = *profile_;
  profile.forward_started(*this, x);
  Tensor y = run_forward(x);
  profile.forward_stopped();
  return y;
}

Tensor Module::profiled_backward(const Tensor& dy) {
  LayerProfile& profile = *profile_;
  profile.backward_started();
  Tensor dx = run_backward(dy);
  profile.backward_stopped();
  return dx;
}

void Module::train(bool on) {
  if (training_ != on) {
    training_ = on;
    on_mode_change();
  }
  for (auto& [name, child] : children_) child->train(on);
}

Parameter& Module::register_parameter(const std::string& name, Tensor value) {
  auto p = std::make_unique<Parameter>();
  p->grad = Tensor::zeros(value.shape(), value.dtype(), value.device());
  p->value = std::move(value);
  params_.emplace_back(name, std::move(p));
  return *params_.back().second;
}

Tensor& Module::register_buffer(const std::string& name, Tensor value) {
  buffers_.emplace_back(name, std::make_unique<Tensor>(std::move(value)));
  return *buffers_.back().second;
}

void Module::collect(const std::string& prefix, std::vector<Named<Parameter>>& params,
                     std::vector<Named<Tensor>>& buffers, std::vector<Named<Tensor>>* state) {
  for (auto& [name, p] : params_) {
    params.push_back({prefix + name, p.get()});
    if (state) state->push_back({prefix + name, &p->value});
  }
  for (auto& [name, b] : buffers_) {
    buffers.push_back({prefix + name, b.get()});
    if (state) state->push_back({prefix + name, b.get()});
  }
  for (auto& [name, child] : children_) child->collect(prefix + name + ".", params, buffers, state);
}

std::vector<Named<Tensor>> Module::state_dict() {
  std::vector<Named<Parameter>> params;
  std::vector<Named<Tensor>> buffers, state;
  collect("", params, buffers, &state);
  return state;
}

std::vector<Named<Parameter>> Module::named_parameters() {
  std::vector<Named<Parameter>> params;
  std::vector<Named<Tensor>> buffers;
  collect("", params, buffers, nullptr);
  return params;
}

std::vector<Parameter*> Module::parameters() {
  std::vector<Parameter*> out;
  for (auto& np : named_parameters()) out.push_back(np.item);
  return out;
}

std::vector<Named<Tensor>> Module::named_buffers() {
  std::vector<Named<Parameter>> params;
  std::vector<Named<Tensor>> buffers;
  collect("", params, buffers, nullptr);
  return buffers;
}

std::int64_t Module::parameter_count() {
  std::int64_t n = 0;
  for (Parameter* p : parameters()) n += p->value.numel();
  return n;
}

void Module::set_random_draws(std::uint64_t draws) {
  on_set_random_draws(draws);
  for (auto& [name, child] : children_) child->set_random_draws(draws);
}

void Module::zero_grad() {
  for (Parameter* p : parameters()) p->grad.zero();
}

void Module::to_dtype(DType dtype) {
  for (Parameter* p : parameters()) {
    p->value = p->value.to(dtype);
    p->grad = p->grad.to(dtype);
  }
  for (auto& nb : named_buffers()) {
    DType d = nb.item->dtype();
    if (d == DType::f32 || d == DType::f64) *nb.item = nb.item->to(dtype);
  }
}

void Module::to_device(Device device) {
  for (Parameter* p : parameters()) {
    p->value = p->value.to_device(device);
    p->grad = p->grad.to_device(device);
  }
  for (auto& nb : named_buffers()) {
    DType d = nb.item->dtype();
    if (d == DType::f32 || d == DType::f64) *nb.item = nb.item->to_device(device);
  }
  drop_caches();  // cached activations are on the old device
}

void Module::drop_caches() {
  on_mode_change();
  for (auto& [name, child] : children_) child->drop_caches();
}

Module* Module::find(const std::string& path) {
  std::string head = path.substr(0, path.find('.'));
  for (auto& [name, child] : children_) {
    if (name != head) continue;
    if (head.size() == path.size()) return child;
    return child->find(path.substr(head.size() + 1));
  }
  return nullptr;
}

}  // namespace ctcscope
