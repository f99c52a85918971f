// Sequential: the chain rule, one child at a time.
#include "layers/sequential.h"

namespace ctcscope {

Tensor Sequential::run_forward(const Tensor& x) {
  Tensor h = x;
  for (Module* m : modules_) h = m->forward(h);
  return h;
}

Tensor Sequential::run_backward(const Tensor& dy) {
  Tensor d = dy;
  for (auto it = modules_.rbegin(); it != modules_.rend(); ++it) d = (*it)->backward(d);
  return d;
}

std::string Sequential::describe() const {
  std::string out = "Sequential(";
  for (std::size_t i = 0; i < modules_.size(); ++i) out += (i ? ", " : "") + modules_[i]->describe();
  return out + ")";
}

}  // namespace ctcscope
