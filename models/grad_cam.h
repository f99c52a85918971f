// Grad-CAM (Selvaraju et al. 2017): where a convolutional classifier looked
// when it scored a class. With A the last convolutional block's output
// [C,h,w] for one image (ConvClassifier::forward_features: which layer that
// is for each network is in its header) and y a score of the logits,
//   alpha_k = mean over (i,j) of dy/dA_k(i,j),   map = ReLU(sum_k alpha_k A_k),
// upsampled bilinearly to the input size. The gradient comes from the
// engine's own backward through the head, as pytorch-grad-cam's does from
// autograd.
#pragma once

#include <cstdint>
#include <vector>

#include "models/conv_classifier.h"

namespace ctcscope {

// The score y = sum_c weights[c] * logit_c. One class's logit is a one-hot
// weighting (pytorch-grad-cam's ClassifierOutputTarget). ctcscope explains
// the CTC log-odds, logit 1 - logit 0 = log(p_ctc / p_leukocyte), the logit
// of the CTC probability: the softmax's call depends on that difference
// alone, so whatever raises both logits alike is left out of the map. (On
// the known-place test the two maps put the same share in the spot's
// quadrant, 0.651 and 0.650.)
inline const std::vector<double> kCtcLogOdds = {-1.0, 1.0};

// Maps [N,H,W] (f64, CPU) for x [N,3,H,W] on the network's device.
// Unnormalised: the map's scale is the score's; a map of zeros means no
// location raised it. Puts the network in eval mode (running statistics, no
// dropout) and leaves it there; adds into the classifier's parameter gradients.
Tensor grad_cam(ConvClassifier& net, const Tensor& x, const std::vector<double>& logit_weights);

// The two steps, for tests and for callers holding A and dy/dA:
// features and dfeatures [N,C,h,w] (any device, f32 or f64) -> [N,h,w] f64.
Tensor grad_cam_coarse(const Tensor& features, const Tensor& dfeatures);
// [N,h,w] -> [N,height,width] f64, bilinear with half-pixel centres (torch's
// interpolate(align_corners=False), OpenCV's resize): edges clamp.
Tensor upsample_bilinear(const Tensor& maps, std::int64_t height, std::int64_t width);

}  // namespace ctcscope
