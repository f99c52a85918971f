// A saliency map (Grad-CAM: models/grad_cam.h) over the image the network
// was fed, for a person to look at: the map, scaled by its own maximum, laid
// over the gray image in a blue-to-red ("jet") scale whose opacity follows
// the map, so the cell stays visible where the network did not look.
#pragma once

#include <vector>

#include "data/image.h"
#include "eval/plot.h"

namespace ctcscope {

// gray: [1,H,W] in [0,1]; map: H*W values >= 0 at the image's size. Each
// pixel becomes scale x scale (cells are fed at 64 to 148 px a side).
Raster saliency_overlay(const Image& gray, const std::vector<double>& map, int scale = 1);

// The gray image on the left and the overlay on the right, a white gap between.
Raster saliency_pair(const Image& gray, const std::vector<double>& map, int scale = 1);

}  // namespace ctcscope
