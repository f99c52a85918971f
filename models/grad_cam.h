// Grad-CAM (Selvaraju et al. 2017): where a convolutional classifier looked
// when it scored a class. With A the last convolutional block's output
// [C,h,w] for one image (ConvClassifier::forward_features: which layer that
// is for each network is in its header) and y the class's logit,
//   alpha_k = mean over (i,j) of dy/dA_k(i,j),   map = ReLU(sum_k alpha_k A_k),
// upsampled bilinearly to the input size. The gradient comes from the
// engine's own backward through the head, as pytorch-grad-cam's does from
// autograd.
#pragma once

#include <cstdint>

#include "models/conv_classifier.h"

namespace ctcscope {

// Maps [N,H,W] (f64, CPU) for x [N,3,H,W] on the network's device, of the
// logit `class_index` (1: CTC, in ctcscope's checkpoints). Unnormalised: the
// map's scale is the logit's; a map of zeros means no location raised it.
// Puts the network in eval mode (running statistics, no dropout) and leaves
// it there; adds into the classifier's parameter gradients.
Tensor grad_cam(ConvClassifier& net, const Tensor& x, std::int64_t class_index);

// The two steps, for tests and for callers holding A and dy/dA:
// features and dfeatures [N,C,h,w] (any device, f32 or f64) -> [N,h,w] f64.
Tensor grad_cam_coarse(const Tensor& features, const Tensor& dfeatures);
// [N,h,w] -> [N,height,width] f64, bilinear with half-pixel centres (torch's
// interpolate(align_corners=False), OpenCV's resize): edges clamp.
Tensor upsample_bilinear(const Tensor& maps, std::int64_t height, std::int64_t width);

}  // namespace ctcscope
