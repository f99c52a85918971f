// CPU twin of BatchNorm2d: one OpenMP task per channel, statistics in double
// (also for f32 inputs) summed in a fixed order, so results do not depend on
// the thread count. Training forward and backward each read a channel twice;
// the second read usually comes from cache (a channel of [16,64,74,74] f32 is 350 KB).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "kernels/batchnorm.h"
#include "kernels/cpu/batchnorm_affine.h"
#include "kernels/cpu/channel_planes.h"
#include "kernels/cpu/parallel.h"

namespace ctcscope::cpu {
namespace {

// Two sums over one channel, in double. Within a plane, element i goes to
// partial sum i % kLanes (kLanes independent chains, so the adds overlap in
// the vector units instead of waiting on one another); the planes follow one
// another in order, and the lanes are added in lane order at the end. The
// order is fixed in the source: the result depends on neither the thread
// count nor the run.
constexpr int kLanes = 32;  // four 8-double AVX-512 registers per sum

struct Sums {
  double a = 0, b = 0;
};

// Over the N planes of HW elements starting at plane_offset(n): calls
// term(offset, da, db) for every element and returns the sums of da and db.
template <class Term>
Sums channel_sums(std::int64_t N, std::int64_t HW, std::int64_t plane_stride, const Term& term) {
  double a[kLanes] = {}, b[kLanes] = {};
  for (std::int64_t n = 0; n < N; ++n) {
    const std::int64_t base = n * plane_stride;
    std::int64_t i = 0;
    for (; i + kLanes <= HW; i += kLanes) {
#pragma omp simd
      for (int j = 0; j < kLanes; ++j) term(base + i + j, a[j], b[j]);
    }
    const int rest = static_cast<int>(HW - i);
#pragma omp simd
    for (int j = 0; j < rest; ++j) term(base + i + j, a[j], b[j]);
  }
  Sums s;
  for (int j = 0; j < kLanes; ++j) s.a += a[j], s.b += b[j];
  return s;
}

template <class T>
void forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                   const BatchNormParams& p, Tensor& running_mean, Tensor& running_var,
                   Tensor& y, Tensor& saved_mean, Tensor& saved_invstd) {
  const std::int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  const std::int64_t M = N * HW;
  const T* px = x.data<T>();
  const T* pg = gamma.data<T>();
  const T* pb = beta.data<T>();
  T* prm = running_mean.data<T>();
  T* prv = running_var.data<T>();
  T* py = y.data<T>();
  T* pmean = saved_mean.data<T>();
  T* pinv = saved_invstd.data<T>();
  const bool parallel = x.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t c = 0; c < C; ++c) {
    // Shifting by the channel's first value keeps E[(x-K)^2] - E[x-K]^2 free
    // of cancellation when the mean is large against the spread.
    const double shift = static_cast<double>(px[c * HW]);
    const T* xc = px + c * HW;
    // a = sum(x - shift), b = sum((x - shift)^2)
    const Sums s = channel_sums(N, HW, C * HW, [=](std::int64_t i, double& a, double& b) {
      const double d = static_cast<double>(xc[i]) - shift;
      a += d;
      b += d * d;
    });
    const double dmean = s.a / static_cast<double>(M);
    const double var = std::max(0.0, s.b / static_cast<double>(M) - dmean * dmean);
    const double mean = shift + dmean;
    const double invstd = 1.0 / std::sqrt(var + p.eps);
    pmean[c] = static_cast<T>(mean);
    pinv[c] = static_cast<T>(invstd);
    // PyTorch: the running variance takes the unbiased estimate.
    const double unbiased = var * static_cast<double>(M) / static_cast<double>(M - 1);
    prm[c] = static_cast<T>((1 - p.momentum) * static_cast<double>(prm[c]) + p.momentum * mean);
    prv[c] = static_cast<T>((1 - p.momentum) * static_cast<double>(prv[c]) + p.momentum * unbiased);
    const T scale = static_cast<T>(static_cast<double>(pg[c]) * invstd);
    for (std::int64_t n = 0; n < N; ++n) {
      const std::int64_t off = (n * C + c) * HW;
      affine(px + off, HW, static_cast<T>(mean), scale, pb[c], py + off);
    }
  }
}

template <class T>
void forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                   const Tensor& running_mean, const Tensor& running_var,
                   const BatchNormParams& p, Tensor& y) {
  const std::int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  const T* px = x.data<T>();
  const T* pg = gamma.data<T>();
  const T* pb = beta.data<T>();
  const T* prm = running_mean.data<T>();
  const T* prv = running_var.data<T>();
  T* py = y.data<T>();
  const bool parallel = x.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < N * C; ++plane) {
    const std::int64_t c = plane % C;
    affine(px + plane * HW, HW, prm[c], batchnorm_scale(pg[c], prv[c], p.eps), pb[c], py + plane * HW);
  }
}

// Plane (n, c) of y from the piece that holds channel c.
template <class T>
void forward_infer_act(const std::vector<Tensor>& pieces, const InferenceBatchNorm& bn, Tensor& y) {
  const std::int64_t C = y.size(1), HW = y.size(2) * y.size(3);
  const ChannelPlanes<T> x(pieces);
  const T* pr = bn.residual.defined() ? bn.residual.data<T>() : nullptr;
  T* py = y.data<T>();
  const bool parallel = y.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t plane = 0; plane < y.size(0) * C; ++plane) {
    const std::int64_t n = plane / C, c = plane % C;
    batchnorm_act(bn, c, HW, x.plane(n, c), pr ? pr + plane * HW : nullptr, py + plane * HW);
  }
}

// With xhat = (x - mean) * invstd, M = N*H*W, Sdy = sum(dy), Sdyx = sum(dy * (x - mean)):
//   dbeta  += Sdy                 dgamma += sum(dy * xhat) = invstd * Sdyx
//   dx = gamma * invstd / M * (M*dy - Sdy - xhat * invstd * Sdyx)
//      = A * dy + B * (x - mean) + D,
//   A = gamma * invstd,  B = -gamma * invstd^3 * Sdyx / M,  D = -gamma * invstd * Sdy / M.
template <class T>
void backward(const Tensor& dy, const Tensor& x, const Tensor& gamma, const Tensor& saved_mean,
              const Tensor& saved_invstd, Tensor& dx, Tensor& dgamma, Tensor& dbeta) {
  const std::int64_t N = x.size(0), C = x.size(1), HW = x.size(2) * x.size(3);
  const double M = static_cast<double>(N * HW);
  const T* pdy = dy.data<T>();
  const T* px = x.data<T>();
  const T* pg = gamma.data<T>();
  const T* pmean = saved_mean.data<T>();
  const T* pinv = saved_invstd.data<T>();
  T* pdx = dx.data<T>();
  T* pdg = dgamma.data<T>();
  T* pdb = dbeta.data<T>();
  const bool parallel = x.numel() >= kMinParallelElements;
#pragma omp parallel for schedule(guided) if (parallel)
  for (std::int64_t c = 0; c < C; ++c) {
    const double mean = static_cast<double>(pmean[c]);
    const double invstd = static_cast<double>(pinv[c]);
    const T* xc = px + c * HW;
    const T* gc = pdy + c * HW;
    // a = sum(dy), b = sum(dy * (x - mean))
    const Sums s = channel_sums(N, HW, C * HW, [=](std::int64_t i, double& a, double& b) {
      const double g = static_cast<double>(gc[i]);
      a += g;
      b += g * (static_cast<double>(xc[i]) - mean);
    });
    const double sdy = s.a, sdyx = s.b;
    pdb[c] = static_cast<T>(static_cast<double>(pdb[c]) + sdy);
    pdg[c] = static_cast<T>(static_cast<double>(pdg[c]) + invstd * sdyx);
    const double g = static_cast<double>(pg[c]);
    const T a = static_cast<T>(g * invstd);
    const T b = static_cast<T>(-g * invstd * invstd * invstd * sdyx / M);
    const T d = static_cast<T>(-g * invstd * sdy / M);
    const T m = static_cast<T>(mean);
    for (std::int64_t n = 0; n < N; ++n) {
      const std::int64_t off = (n * C + c) * HW;
      const T* gy = pdy + off;
      const T* xx = px + off;
      T* gx = pdx + off;
#pragma omp simd
      for (std::int64_t i = 0; i < HW; ++i) gx[i] = a * gy[i] + b * (xx[i] - m) + d;
    }
  }
}

}  // namespace

void batchnorm2d_forward_train(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const BatchNormParams& p, Tensor& running_mean,
                               Tensor& running_var, Tensor& y, Tensor& saved_mean,
                               Tensor& saved_invstd) {
  if (x.dtype() == DType::f64) {
    forward_train<double>(x, gamma, beta, p, running_mean, running_var, y, saved_mean,
                          saved_invstd);
  } else {
    forward_train<float>(x, gamma, beta, p, running_mean, running_var, y, saved_mean,
                         saved_invstd);
  }
}

void batchnorm2d_forward_infer(const Tensor& x, const Tensor& gamma, const Tensor& beta,
                               const Tensor& running_mean, const Tensor& running_var,
                               const BatchNormParams& p, Tensor& y) {
  if (x.dtype() == DType::f64) {
    forward_infer<double>(x, gamma, beta, running_mean, running_var, p, y);
  } else {
    forward_infer<float>(x, gamma, beta, running_mean, running_var, p, y);
  }
}

void batchnorm2d_forward_infer_act_concat(const std::vector<Tensor>& pieces, const InferenceBatchNorm& bn,
                                          Tensor& y) {
  if (y.dtype() == DType::f64) {
    forward_infer_act<double>(pieces, bn, y);
  } else {
    forward_infer_act<float>(pieces, bn, y);
  }
}

void batchnorm2d_backward(const Tensor& dy, const Tensor& x, const Tensor& gamma,
                          const Tensor& saved_mean, const Tensor& saved_invstd, Tensor& dx,
                          Tensor& dgamma, Tensor& dbeta) {
  if (x.dtype() == DType::f64) {
    backward<double>(dy, x, gamma, saved_mean, saved_invstd, dx, dgamma, dbeta);
  } else {
    backward<float>(dy, x, gamma, saved_mean, saved_invstd, dx, dgamma, dbeta);
  }
}

}  // namespace ctcscope::cpu
