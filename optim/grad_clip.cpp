// clip_grad_norm: the global L2 norm of all gradients and the rescale,
// plain host loops over CPU gradients.
#include "optim/grad_clip.h"

#include <cmath>

namespace ctcscope {

namespace {

constexpr double kClipEps = 1e-6;  // torch.nn.utils.clip_grad_norm_: max_norm / (total + 1e-6)

template <class T>
double sum_squares(const Tensor& g) {
  const T* p = g.data<T>();
  double s = 0.0;
  for (std::int64_t i = 0; i < g.numel(); ++i) s += static_cast<double>(p[i]) * p[i];
  return s;
}

template <class T>
void scale(Tensor& g, double coef) {
  T* p = g.data<T>();
  const T c = static_cast<T>(coef);
  for (std::int64_t i = 0; i < g.numel(); ++i) p[i] *= c;
}

}  // namespace

double clip_grad_norm(const std::vector<Parameter*>& params, double max_norm) {
  CTC_CHECK(max_norm > 0.0, "clip_grad_norm: max_norm must be > 0, got ", max_norm);
  double sum = 0.0;
  for (Parameter* p : params) {
    CTC_CHECK(p != nullptr, "clip_grad_norm: null parameter");
    const Tensor& g = p->grad;
    if (!g.defined()) continue;
    CTC_CHECK(g.device() == Device::cpu, "clip_grad_norm: runs on the CPU only (grad is ",
              g.describe(), ")");
    if (g.dtype() == DType::f64) {
      sum += sum_squares<double>(g);
    } else {
      CTC_CHECK(g.dtype() == DType::f32, "clip_grad_norm: grad must be f32 or f64, got ",
                g.describe());
      sum += sum_squares<float>(g);
    }
  }
  const double total = std::sqrt(sum);
  const double coef = max_norm / (total + kClipEps);
  if (coef < 1.0) {
    for (Parameter* p : params) {
      if (!p->grad.defined()) continue;
      if (p->grad.dtype() == DType::f64) {
        scale<double>(p->grad, coef);
      } else {
        scale<float>(p->grad, coef);
      }
    }
  }
  return total;
}

double clip_grad_norm(const std::vector<Named<Parameter>>& params, double max_norm) {
  std::vector<Parameter*> raw;
  raw.reserve(params.size());
  for (const auto& p : params) raw.push_back(p.item);
  return clip_grad_norm(raw, max_norm);
}

}  // namespace ctcscope
