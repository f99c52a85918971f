// Grad-CAM: the head run backward from one logit, channel weights from the
// gradient's spatial means, the weighted sum rectified and upsampled.
#include "models/grad_cam.h"

#include <algorithm>
#include <vector>

namespace ctcscope {

namespace {

// Where output index `o` of `out` samples an input axis of `in` entries:
// the lower index, the upper one and the upper one's weight.
struct BilinearTap {
  std::int64_t lo, hi;
  double w_hi;
};

BilinearTap bilinear_tap(std::int64_t o, std::int64_t in, std::int64_t out) {
  double src = (static_cast<double>(o) + 0.5) * static_cast<double>(in) / static_cast<double>(out) - 0.5;
  src = std::max(src, 0.0);
  const auto lo = std::min(static_cast<std::int64_t>(src), in - 1);
  return {lo, std::min(lo + 1, in - 1), src - static_cast<double>(lo)};
}

// While alive, the head's modules keep their backward caches (training mode;
// they behave the same in either mode); then the whole network is in eval mode again.
class HeadCaching {
 public:
  explicit HeadCaching(ConvClassifier& net) : net_(net) {
    for (Module* m : net.head_cache_modules()) m->train(true);
  }
  ~HeadCaching() { net_.eval(); }
  HeadCaching(const HeadCaching&) = delete;
  HeadCaching& operator=(const HeadCaching&) = delete;

 private:
  ConvClassifier& net_;
};

}  // namespace

Tensor grad_cam_coarse(const Tensor& features, const Tensor& dfeatures) {
  CTC_CHECK(features.dim() == 4 && features.shape() == dfeatures.shape(),
            "grad_cam: features and their gradient must be the same [N,C,h,w], got ", features.shape_str(),
            " and ", dfeatures.shape_str());
  const std::int64_t n = features.size(0), c = features.size(1), hw = features.size(2) * features.size(3);
  const std::vector<double> a = features.to_device(Device::cpu).to_double_vector();
  const std::vector<double> da = dfeatures.to_device(Device::cpu).to_double_vector();
  std::vector<double> maps(static_cast<std::size_t>(n * hw), 0.0);
  for (std::int64_t i = 0; i < n; ++i) {
    double* map = maps.data() + i * hw;
    for (std::int64_t k = 0; k < c; ++k) {
      const std::size_t base = static_cast<std::size_t>((i * c + k) * hw);
      double alpha = 0;
      for (std::int64_t p = 0; p < hw; ++p) alpha += da[base + static_cast<std::size_t>(p)];
      alpha /= static_cast<double>(hw);
      for (std::int64_t p = 0; p < hw; ++p) map[p] += alpha * a[base + static_cast<std::size_t>(p)];
    }
    for (std::int64_t p = 0; p < hw; ++p) map[p] = std::max(map[p], 0.0);
  }
  return Tensor::from_vector(maps, {n, features.size(2), features.size(3)});
}

Tensor upsample_bilinear(const Tensor& maps, std::int64_t height, std::int64_t width) {
  CTC_CHECK(maps.dim() == 3 && height > 0 && width > 0, "upsample_bilinear: maps must be [N,h,w] and the size ",
            "positive, got ", maps.shape_str(), " to ", height, "x", width);
  const std::int64_t n = maps.size(0), h = maps.size(1), w = maps.size(2);
  const std::vector<double> in = maps.to_device(Device::cpu).to_double_vector();
  std::vector<double> out(static_cast<std::size_t>(n * height * width));
  for (std::int64_t i = 0; i < n; ++i) {
    const double* m = in.data() + i * h * w;
    for (std::int64_t y = 0; y < height; ++y) {
      const BilinearTap ty = bilinear_tap(y, h, height);
      for (std::int64_t x = 0; x < width; ++x) {
        const BilinearTap tx = bilinear_tap(x, w, width);
        const double top = m[ty.lo * w + tx.lo] * (1 - tx.w_hi) + m[ty.lo * w + tx.hi] * tx.w_hi;
        const double bottom = m[ty.hi * w + tx.lo] * (1 - tx.w_hi) + m[ty.hi * w + tx.hi] * tx.w_hi;
        out[static_cast<std::size_t>((i * height + y) * width + x)] = top * (1 - ty.w_hi) + bottom * ty.w_hi;
      }
    }
  }
  return Tensor::from_vector(out, {n, height, width});
}

Tensor grad_cam(ConvClassifier& net, const Tensor& x, const std::vector<double>& logit_weights) {
  CTC_CHECK(x.dim() == 4, "grad_cam: input must be [N,3,H,W], got ", x.shape_str());
  net.eval();
  const Tensor features = net.forward_features(x);
  Tensor dfeatures;
  {
    HeadCaching caching(net);
    const Tensor logits = net.forward_head(features);
    const std::int64_t n = logits.size(0), classes = logits.size(1);
    CTC_CHECK(static_cast<std::int64_t>(logit_weights.size()) == classes, "grad_cam: ", logit_weights.size(),
              " logit weights for a network with ", classes, " outputs");
    std::vector<double> dscore(static_cast<std::size_t>(n * classes));
    for (std::size_t i = 0; i < dscore.size(); ++i) dscore[i] = logit_weights[i % logit_weights.size()];
    const Tensor dlogits = Tensor::from_vector(dscore, {n, classes}).to(logits.dtype()).to_device(logits.device());
    dfeatures = net.backward_head(dlogits);
  }
  return upsample_bilinear(grad_cam_coarse(features, dfeatures), x.size(2), x.size(3));
}

}  // namespace ctcscope
