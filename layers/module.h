// Module: the unit of a network. It owns its parameters (value and gradient,
// under torchvision's names), its buffers (BatchNorm running statistics) and
// its children. forward(x) caches what backward needs in named members;
// backward(dy) returns dx, adds into each parameter's grad and frees the
// cache. There is no autograd tape: every gradient is a function you can read.
// A layer writes run_forward and run_backward; forward and backward call them,
// timed when a profiler is attached (layers/profiler.h).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "layers/inference_fusion.h"
#include "layers/layer_cost.h"
#include "tensor/tensor.h"

namespace ctcscope {

struct LayerProfile;  // layers/profiler.h

struct Parameter {
  Tensor value;
  Tensor grad;  // same shape; accumulated by backward, reset only by zero_grad
};

// A parameter or buffer with its full dotted name ("layer1.0.conv1.weight").
template <class T>
struct Named {
  std::string name;
  T* item;
};

class Module {
 public:
  virtual ~Module() = default;
  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  // The layer's run_forward / run_backward; without a profiler attached the
  // only extra cost is one branch.
  Tensor forward(const Tensor& x) {
    if (fused_into_ != nullptr && fused_into_->active(x)) return x;  // applied by the convolution
    return profile_ ? profiled_forward(x) : run_forward(x);
  }
  Tensor backward(const Tensor& dy) { return profile_ ? profiled_backward(dy) : run_backward(dy); }
  // A short description for printing ("Conv2d(64, 128, k=3, s=2, p=1)").
  virtual std::string describe() const = 0;
  // What one forward and backward on input x cost (layers/layer_cost.h): each
  // leaf layer states its formulas; composites leave it empty (the profiler
  // times only leaves).
  virtual LayerCost cost(const Tensor& /*x*/) const { return {}; }

  // Where forward and backward record their time; nullptr: not profiled.
  // Set by the Profiler, which owns the record.
  void set_profile(LayerProfile* profile) { profile_ = profile; }

  // A batch norm or activation whose work the convolution before it does in
  // eval mode on the CPU (layers/inference_fusion.h): forward then returns
  // its input. Set by Conv2d::fuse_output.
  void set_fused_into(const InferenceFusion* fusion) { fused_into_ = fusion; }

  // Train mode caches for backward and uses batch statistics; eval mode keeps
  // nothing and uses running statistics. Applies to all children.
  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

  // Depth-first, in registration order, as torch's named_parameters().
  std::vector<Named<Parameter>> named_parameters();
  std::vector<Parameter*> parameters();
  // Buffers: running_mean, running_var, num_batches_tracked.
  std::vector<Named<Tensor>> named_buffers();
  // Parameter values and buffers in PyTorch's state_dict order (a module's
  // own parameters, its own buffers, then each child's): the layout of
  // weight files and checkpoints.
  std::vector<Named<Tensor>> state_dict();
  std::int64_t parameter_count();

  void zero_grad();
  // Converts every parameter, gradient and buffer (f32 <-> f64; i64 buffers
  // stay). f64 is for gradient checks on the CPU.
  void to_dtype(DType dtype);
  // Moves every parameter, gradient and floating-point buffer to `device`
  // (a copy; tensors already there stay). Integer buffers (BatchNorm's
  // num_batches_tracked) stay on the host, where the layer counts them.
  // Drops any forward cache: call it between steps.
  void to_device(Device device);

  // Puts every random layer's stream (Dropout, StochasticDepth: one draw per
  // training forward) where it stands after `draws` training forwards. A run
  // resumed after N steps calls it with N, so it draws the masks a run never
  // interrupted would.
  void set_random_draws(std::uint64_t draws);

  // Children in registration order, with their local names.
  const std::vector<std::pair<std::string, Module*>>& children() const { return children_; }
  // A child by dotted path ("layer1.0"), or nullptr.
  Module* find(const std::string& path);

 protected:
  virtual Tensor run_forward(const Tensor& x) = 0;
  virtual Tensor run_backward(const Tensor& dy) = 0;

  Parameter& register_parameter(const std::string& name, Tensor value);
  Tensor& register_buffer(const std::string& name, Tensor value);
  template <class M>
  M& register_module(const std::string& name, std::unique_ptr<M> child) {
    M& ref = *child;
    children_.emplace_back(name, child.get());
    owned_.push_back(std::move(child));
    return ref;
  }
  // Called when the mode changes, so a module can drop its cache.
  virtual void on_mode_change() {}
  // This module's part of set_random_draws: a random layer moves its stream.
  virtual void on_set_random_draws(std::uint64_t /*draws*/) {}

 private:
  Tensor profiled_forward(const Tensor& x);
  Tensor profiled_backward(const Tensor& dy);
  void drop_caches();
  void collect(const std::string& prefix, std::vector<Named<Parameter>>& params,
               std::vector<Named<Tensor>>& buffers, std::vector<Named<Tensor>>* state);

  bool training_ = true;
  LayerProfile* profile_ = nullptr;
  const InferenceFusion* fused_into_ = nullptr;
  std::vector<std::pair<std::string, std::unique_ptr<Parameter>>> params_;
  std::vector<std::pair<std::string, std::unique_ptr<Tensor>>> buffers_;
  std::vector<std::pair<std::string, Module*>> children_;
  std::vector<std::unique_ptr<Module>> owned_;
};

}  // namespace ctcscope
