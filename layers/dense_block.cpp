// DenseLayer, DenseBlock and Transition: DenseNet's concatenation and its split.
#include "layers/dense_block.h"

#include <sstream>

#include "kernels/concat.h"
#include "kernels/elementwise.h"
#include "layers/inference_fusion.h"

namespace ctcscope {

DenseLayer::DenseLayer(std::int64_t in_channels, std::int64_t growth_rate, std::int64_t bn_size)
    : norm1_(register_module("norm1", std::make_unique<BatchNorm2d>(in_channels))),
      relu1_(register_module("relu1", std::make_unique<ReLU>(true))),
      conv1_(register_module("conv1", std::make_unique<Conv2d>(in_channels, bn_size * growth_rate, 1))),
      norm2_(register_module("norm2", std::make_unique<BatchNorm2d>(bn_size * growth_rate))),
      relu2_(register_module("relu2", std::make_unique<ReLU>(true))),
      conv2_(register_module("conv2", std::make_unique<Conv2d>(bn_size * growth_rate, growth_rate, 3, 1, 1))) {
  fuse_for_inference(norm1_, relu1_);  // on the concatenated input, before conv1
  fuse_for_inference(conv1_, norm2_, &relu2_);
}

Tensor DenseLayer::run_forward(const Tensor& x) { return forward_concat({x}); }

Tensor DenseLayer::forward_concat(const std::vector<Tensor>& pieces) {
  Tensor h;
  const auto input_bn = norm1_.fused_epilogue(pieces.front());
  if (input_bn && conv1_.fuses_output(pieces.front())) {
    h = conv1_.forward_concat(pieces, *input_bn);  // norm1 and relu1 applied as conv1 packs the pieces
  } else {
    h = conv1_.forward(relu1_.forward(norm1_.forward_concat(pieces)));
  }
  return conv2_.forward(relu2_.forward(norm2_.forward(h)));
}

Tensor DenseLayer::run_backward(const Tensor& dy) {
  Tensor dh = norm2_.backward(relu2_.backward(conv2_.backward(dy)));
  return norm1_.backward(relu1_.backward(conv1_.backward(dh)));
}

std::string DenseLayer::describe() const {
  std::ostringstream out;
  out << "DenseLayer(growth=" << conv2_.options().out_channels << ")";
  return out.str();
}

DenseBlock::DenseBlock(std::int64_t layers, std::int64_t in_channels, std::int64_t growth_rate,
                       std::int64_t bn_size)
    : in_channels_(in_channels), growth_rate_(growth_rate) {
  for (std::int64_t i = 0; i < layers; ++i) {
    layers_.push_back(&register_module("denselayer" + std::to_string(i + 1),
                                       std::make_unique<DenseLayer>(in_channels + i * growth_rate, growth_rate, bn_size)));
  }
}

Tensor DenseBlock::run_forward(const Tensor& x) {
  std::vector<Tensor> pieces = {x};
  for (DenseLayer* layer : layers_) pieces.push_back(layer->forward_concat(pieces));
  Tensor y = Tensor::empty(concat_channels_shape(pieces), x.dtype(), x.device());
  concat_channels(pieces, y);
  return y;
}

// d x_i = split(d x_{i+1})[0] + layer_i.backward(split(d x_{i+1})[1]).
Tensor DenseBlock::run_backward(const Tensor& dy) {
  Tensor d = dy;
  for (std::size_t i = layers_.size(); i-- > 0;) {
    const std::int64_t c = in_channels_ + growth_rate_ * std::int64_t(i);
    std::vector<Tensor> parts = {Tensor::empty({d.size(0), c, d.size(2), d.size(3)}, d.dtype(), d.device()),
                                 Tensor::empty({d.size(0), growth_rate_, d.size(2), d.size(3)}, d.dtype(), d.device())};
    split_channels(d, parts);
    Tensor dlayer = layers_[i]->backward(parts[1]);
    add(parts[0], dlayer, parts[0]);
    d = parts[0];
  }
  return d;
}

std::string DenseBlock::describe() const {
  std::ostringstream out;
  out << "DenseBlock(layers=" << layers_.size() << ", " << in_channels_ << " -> " << out_channels() << ")";
  return out.str();
}

Transition::Transition(std::int64_t in_channels, std::int64_t out_channels)
    : norm_(register_module("norm", std::make_unique<BatchNorm2d>(in_channels))),
      relu_(register_module("relu", std::make_unique<ReLU>(true))),
      conv_(register_module("conv", std::make_unique<Conv2d>(in_channels, out_channels, 1))),
      pool_(register_module("pool", std::make_unique<AvgPool2d>(2, 2))) {
  fuse_for_inference(norm_, relu_);
}

Tensor Transition::run_forward(const Tensor& x) {
  return pool_.forward(conv_.forward(relu_.forward(norm_.forward(x))));
}

Tensor Transition::run_backward(const Tensor& dy) {
  return norm_.backward(relu_.backward(conv_.backward(pool_.backward(dy))));
}

std::string Transition::describe() const {
  std::ostringstream out;
  out << "Transition(" << conv_.options().in_channels << " -> " << conv_.options().out_channels << ")";
  return out.str();
}

}  // namespace ctcscope
