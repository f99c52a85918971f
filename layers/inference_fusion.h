// Inference fusion: in eval mode on the CPU, a convolution applies the
// BatchNorm2d after it, and the ReLU or SiLU after that, to its own output
// while it is in cache (conv2d_forward_bn_act), and those two layers pass
// their input through; a batch norm with no convolution before it
// (DenseNet's pre-activation) applies the ReLU after it in its own pass
// (batchnorm2d_forward_infer_act). The same bits as running the layers one
// by one, fewer passes over each activation. Training mode, the GPU (where cuDNN
// runs batch norm as its own op) and CTC_FUSE_INFERENCE=0 run each layer
// itself.
#pragma once

#include "kernels/conv.h"
#include "tensor/tensor.h"

namespace ctcscope {

class BatchNorm2d;
class Conv2d;
class Module;

struct InferenceFusion {
  Conv2d* conv;  // nullptr: the batch norm does the work
  BatchNorm2d* bn;
  Module* activation;  // nullptr: none
  Activation kind;
  // A residual block's last convolution (fuse_residual_output): the block's
  // residual add comes between the batch norm and the activation.
  bool residual = false;

  // Whether a forward on x runs fused now: all its layers in eval mode
  // (Grad-CAM puts parts of a network in training mode), x on the CPU, and
  // fusion not turned off.
  bool active(const Tensor& x) const;
  // The batch norm and activation for conv2d_forward_bn_act or
  // batchnorm2d_forward_infer_act.
  InferenceBatchNorm epilogue() const;
};

// Wires conv -> bn -> activation (nullptr, a ReLU or a SiLU) at construction.
// The convolution must have no bias: none that is followed by batch norm does.
void fuse_for_inference(Conv2d& conv, BatchNorm2d& bn, Module* activation = nullptr);

// bn -> activation (a ReLU or SiLU) with no convolution before them.
void fuse_for_inference(BatchNorm2d& bn, Module& activation);

// A residual block's last convolution, batch norm and ReLU, with the block's
// add between the last two: the block asks conv.fuses_residual(x) and then
// calls conv.forward_with_residual(x, identity) instead of the four steps;
// otherwise it runs them as before (bn and relu never pass through).
void fuse_residual_output(Conv2d& conv, BatchNorm2d& bn, Module& activation);

// On unless CTC_FUSE_INFERENCE=0 was in the environment at start; the tests
// and benchmarks switch it to compare both ways.
bool inference_fusion_enabled();
void set_inference_fusion(bool on);

}  // namespace ctcscope
