// The per-layer profiler (layers/profiler.h): the records Module::forward and
// backward fill, attaching to a model's leaves, and the rows they add up to.
#include "layers/profiler.h"

namespace ctcscope {

namespace {

double ms_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

std::string shape_text(const Shape& shape) {
  std::string out;
  for (std::size_t i = 0; i < shape.size(); ++i) out += (i ? "x" : "") + std::to_string(shape[i]);
  return out;
}

ProfileRow row_of(LayerProfile& p) {
  ProfileRow row;
  row.name = p.name;
  row.kind = p.kind;
  row.shape = shape_text(p.input_shape);
  row.calls = p.forward_calls;
  const bool gpu = p.device == Device::cuda;
  row.forward_ms = gpu ? p.forward_gpu.total_ms() : p.forward_cpu_ms;
  row.backward_ms = gpu ? p.backward_gpu.total_ms() : p.backward_cpu_ms;
  row.flops = p.flops;
  row.bytes = p.bytes;
  return row;
}

}  // namespace

void LayerProfile::forward_started(const Module& module, const Tensor& x) {
  if (forward_calls++ == 0) input_shape = x.shape();
  last_cost = module.cost(x);
  flops += last_cost.forward_flops;
  bytes += last_cost.forward_bytes;
  if (device == Device::cuda) forward_gpu.start(name.c_str());
  started = std::chrono::steady_clock::now();
}

void LayerProfile::forward_stopped() {
  if (device == Device::cuda) forward_gpu.stop();
  forward_cpu_ms += ms_since(started);
}

void LayerProfile::backward_started() {
  ++backward_calls;
  flops += last_cost.backward_flops;
  bytes += last_cost.backward_bytes;
  if (device == Device::cuda) backward_gpu.start(name.c_str());
  started = std::chrono::steady_clock::now();
}

void LayerProfile::backward_stopped() {
  if (device == Device::cuda) backward_gpu.stop();
  backward_cpu_ms += ms_since(started);
}

void Profiler::attach(Module& model, const std::string& model_name) {
  detach();
  profiles_.clear();
  modules_.push_back(&model);
  profiles_.push_back(std::make_unique<LayerProfile>());
  profiles_.back()->name = model_name;
  add_leaves(model, "");
  for (std::size_t i = 0; i < modules_.size(); ++i) {
    const std::string description = modules_[i]->describe();
    profiles_[i]->kind = description.substr(0, description.find('('));
    profiles_[i]->device = device_;
    modules_[i]->set_profile(profiles_[i].get());
  }
}

void Profiler::add_leaves(Module& module, const std::string& prefix) {
  for (const auto& [name, child] : module.children()) {
    if (!child->children().empty()) {
      add_leaves(*child, prefix + name + ".");
      continue;
    }
    modules_.push_back(child);
    profiles_.push_back(std::make_unique<LayerProfile>());
    profiles_.back()->name = prefix + name;
  }
}

void Profiler::detach() {
  for (Module* m : modules_) m->set_profile(nullptr);
  modules_.clear();
}

ProfileResult Profiler::result() {
  ProfileResult out;
  if (profiles_.empty()) return out;
  out.total = row_of(*profiles_.front());
  ProfileRow between{kBetweenLayers, "glue", "", out.total.calls, out.total.forward_ms, out.total.backward_ms, 0, 0};
  for (std::size_t i = 1; i < profiles_.size(); ++i) {
    out.rows.push_back(row_of(*profiles_[i]));
    between.forward_ms -= out.rows.back().forward_ms;
    between.backward_ms -= out.rows.back().backward_ms;
  }
  out.rows.push_back(between);
  out.total.flops = 0;  // the model's own cost() is 0; its FLOPs are its leaves'
  out.total.bytes = 0;
  for (const ProfileRow& row : out.rows) {
    out.total.flops += row.flops;
    out.total.bytes += row.bytes;
  }
  return out;
}

}  // namespace ctcscope
