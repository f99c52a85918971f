// Bottleneck: 1x1 reduce, 3x3, 1x1 expand, and the residual add.
#include "layers/bottleneck.h"

#include "kernels/elementwise.h"
#include "layers/inference_fusion.h"

namespace ctcscope {

Bottleneck::Bottleneck(std::int64_t in_channels, std::int64_t planes, std::int64_t stride)
    : conv1_(register_module("conv1", std::make_unique<Conv2d>(in_channels, planes, 1))),
      bn1_(register_module("bn1", std::make_unique<BatchNorm2d>(planes))),
      relu1_(register_module("relu1", std::make_unique<ReLU>(true))),
      conv2_(register_module("conv2", std::make_unique<Conv2d>(planes, planes, 3, stride, 1))),
      bn2_(register_module("bn2", std::make_unique<BatchNorm2d>(planes))),
      relu2_(register_module("relu2", std::make_unique<ReLU>(true))),
      conv3_(register_module("conv3", std::make_unique<Conv2d>(planes, planes * kExpansion, 1))),
      bn3_(register_module("bn3", std::make_unique<BatchNorm2d>(planes * kExpansion))),
      relu3_(register_module("relu3", std::make_unique<ReLU>(true))) {
  fuse_for_inference(conv1_, bn1_, &relu1_);
  fuse_for_inference(conv2_, bn2_, &relu2_);
  fuse_residual_output(conv3_, bn3_, relu3_);
  if (stride != 1 || in_channels != planes * kExpansion) {
    downsample_ = &register_module("downsample", make_downsample(in_channels, planes * kExpansion, stride));
  }
}

Tensor Bottleneck::run_forward(const Tensor& x) {
  Tensor out = relu1_.forward(bn1_.forward(conv1_.forward(x)));
  out = relu2_.forward(bn2_.forward(conv2_.forward(out)));
  Tensor identity = downsample_ ? downsample_->forward(x) : x;
  if (conv3_.fuses_residual(out)) return conv3_.forward_with_residual(out, identity);
  out = bn3_.forward(conv3_.forward(out));
  add(out, identity, out);
  return relu3_.forward(out);
}

// d(out)/d(x) sums the main path and the identity path.
Tensor Bottleneck::run_backward(const Tensor& dy) {
  Tensor dsum = relu3_.backward(dy);
  Tensor d = conv3_.backward(bn3_.backward(dsum));
  d = conv2_.backward(bn2_.backward(relu2_.backward(d)));
  Tensor dmain = conv1_.backward(bn1_.backward(relu1_.backward(d)));
  Tensor didentity = downsample_ ? downsample_->backward(dsum) : dsum;
  add(dmain, didentity, dmain);
  return dmain;
}

std::string Bottleneck::describe() const { return downsample_ ? "Bottleneck(downsample)" : "Bottleneck()"; }

}  // namespace ctcscope
