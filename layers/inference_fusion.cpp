#include "layers/inference_fusion.h"

#include <cstdlib>
#include <cstring>

#include "layers/activation.h"
#include "layers/batchnorm2d.h"
#include "layers/conv2d.h"
#include "layers/relu.h"

namespace ctcscope {
namespace {

bool& fusion_switch() {
  static bool on = [] {
    const char* v = std::getenv("CTC_FUSE_INFERENCE");
    return v == nullptr || std::strcmp(v, "0") != 0;
  }();
  return on;
}

Activation kind_of(Module* activation) {
  if (activation == nullptr) return Activation::none;
  if (dynamic_cast<ReLU*>(activation) != nullptr) return Activation::relu;
  CTC_CHECK(dynamic_cast<SiLU*>(activation) != nullptr, "fuse_for_inference: ",
            activation->describe(), " cannot be fused into a convolution (ReLU or SiLU only)");
  return Activation::silu;
}

}  // namespace

bool InferenceFusion::active(const Tensor& x) const {
  return fusion_switch() && x.device() == Device::cpu && (conv == nullptr || !conv->training()) &&
         !bn->training() &&
         (activation == nullptr || !activation->training());
}

InferenceBatchNorm InferenceFusion::epilogue() const {
  return {bn->weight().value, bn->bias().value, bn->running_mean(), bn->running_var(), bn->params(),
          Tensor(), kind};
}

void fuse_for_inference(Conv2d& conv, BatchNorm2d& bn, Module* activation) {
  CTC_CHECK(conv.bias() == nullptr, "fuse_for_inference: ", conv.describe(),
            " has a bias; batch norm after it would make it redundant");
  conv.fuse_output(InferenceFusion{&conv, &bn, activation, kind_of(activation), false});
}

void fuse_for_inference(BatchNorm2d& bn, Module& activation) {
  bn.fuse_activation(InferenceFusion{nullptr, &bn, &activation, kind_of(&activation), false});
}

void fuse_residual_output(Conv2d& conv, BatchNorm2d& bn, Module& activation) {
  CTC_CHECK(conv.bias() == nullptr, "fuse_residual_output: ", conv.describe(),
            " has a bias; batch norm after it would make it redundant");
  conv.fuse_output(InferenceFusion{&conv, &bn, &activation, kind_of(&activation), true});
}

bool inference_fusion_enabled() { return fusion_switch(); }
void set_inference_fusion(bool on) { fusion_switch() = on; }

}  // namespace ctcscope
