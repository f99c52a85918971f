// Sequential: children run in order forward and in reverse order backward.
// Children are named "0", "1", ... as torch.nn.Sequential, or given names
// (torch.nn.Sequential(OrderedDict(...)), as DenseNet's "features").
#pragma once

#include "layers/module.h"

namespace ctcscope {

class Sequential : public Module {
 public:
  template <class M>
  M& add(std::unique_ptr<M> child) {
    M& ref = register_module(std::to_string(modules_.size()), std::move(child));
    modules_.push_back(&ref);
    return ref;
  }
  template <class M>
  M& add(const std::string& name, std::unique_ptr<M> child) {
    M& ref = register_module(name, std::move(child));
    modules_.push_back(&ref);
    return ref;
  }

  Tensor run_forward(const Tensor& x) override;
  Tensor run_backward(const Tensor& dy) override;
  std::string describe() const override;
  std::size_t size() const { return modules_.size(); }
  Module& operator[](std::size_t i) { return *modules_.at(i); }

 private:
  std::vector<Module*> modules_;
};

}  // namespace ctcscope
