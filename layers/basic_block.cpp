// BasicBlock: two 3x3 convolutions and the residual add.
#include "layers/basic_block.h"

#include "kernels/elementwise.h"
#include "layers/inference_fusion.h"

namespace ctcscope {

std::unique_ptr<Sequential> make_downsample(std::int64_t in_channels, std::int64_t out_channels,
                                            std::int64_t stride) {
  auto seq = std::make_unique<Sequential>();
  auto& conv = seq->add(std::make_unique<Conv2d>(in_channels, out_channels, 1, stride));
  fuse_for_inference(conv, seq->add(std::make_unique<BatchNorm2d>(out_channels)));
  return seq;
}

BasicBlock::BasicBlock(std::int64_t in_channels, std::int64_t planes, std::int64_t stride)
    : conv1_(register_module("conv1", std::make_unique<Conv2d>(in_channels, planes, 3, stride, 1))),
      bn1_(register_module("bn1", std::make_unique<BatchNorm2d>(planes))),
      relu1_(register_module("relu1", std::make_unique<ReLU>(true))),
      conv2_(register_module("conv2", std::make_unique<Conv2d>(planes, planes, 3, 1, 1))),
      bn2_(register_module("bn2", std::make_unique<BatchNorm2d>(planes))),
      relu2_(register_module("relu2", std::make_unique<ReLU>(true))) {
  fuse_for_inference(conv1_, bn1_, &relu1_);
  fuse_residual_output(conv2_, bn2_, relu2_);
  if (stride != 1 || in_channels != planes * kExpansion) {
    downsample_ = &register_module("downsample", make_downsample(in_channels, planes * kExpansion, stride));
  }
}

Tensor BasicBlock::run_forward(const Tensor& x) {
  Tensor out = relu1_.forward(bn1_.forward(conv1_.forward(x)));
  Tensor identity = downsample_ ? downsample_->forward(x) : x;
  if (conv2_.fuses_residual(out)) return conv2_.forward_with_residual(out, identity);
  out = bn2_.forward(conv2_.forward(out));
  add(out, identity, out);
  return relu2_.forward(out);
}

// d(out)/d(x) sums the main path and the identity path.
Tensor BasicBlock::run_backward(const Tensor& dy) {
  Tensor dsum = relu2_.backward(dy);
  Tensor dmain = conv1_.backward(bn1_.backward(relu1_.backward(conv2_.backward(bn2_.backward(dsum)))));
  Tensor didentity = downsample_ ? downsample_->backward(dsum) : dsum;
  add(dmain, didentity, dmain);
  return dmain;
}

std::string BasicBlock::describe() const { return downsample_ ? "BasicBlock(downsample)" : "BasicBlock()"; }

}  // namespace ctcscope
