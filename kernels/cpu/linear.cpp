// CPU twin of Linear: Eigen GEMMs on row-major views of the tensors (Eigen
// threads them with OpenMP). x: [N,I], w: [O,I], y: [N,O].
// GCC 12's AVX-512 intrinsics trip a false -Wmaybe-uninitialized inside
// Eigen's GEMM packing (_mm256_undefined_pd; GCC bug 105593, fixed in 12.3).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>

#include "kernels/linear.h"

namespace ctcscope::cpu {
namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using MapMatrix = Eigen::Map<Matrix<T>>;
template <class T>
using MapConstMatrix = Eigen::Map<const Matrix<T>>;
template <class T>
using MapRow = Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>>;
template <class T>
using MapConstRow = Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>;

// y = x w^T (+ b on every row).
template <class T>
void forward_impl(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y) {
  const auto N = x.size(0), I = x.size(1), O = w.size(0);
  MapConstMatrix<T> X(x.data<T>(), N, I);
  MapConstMatrix<T> Wt(w.data<T>(), O, I);
  MapMatrix<T> Y(y.data<T>(), N, O);
  Y.noalias() = X * Wt.transpose();
  if (b.defined()) Y.rowwise() += MapConstRow<T>(b.data<T>(), O);
}

// dL/dx = dy w.
template <class T>
void backward_data_impl(const Tensor& dy, const Tensor& w, Tensor& dx) {
  const auto N = dy.size(0), O = dy.size(1), I = w.size(1);
  MapConstMatrix<T> DY(dy.data<T>(), N, O);
  MapConstMatrix<T> Wt(w.data<T>(), O, I);
  MapMatrix<T> DX(dx.data<T>(), N, I);
  DX.noalias() = DY * Wt;
}

// dL/dw = dy^T x and dL/db = sum over rows of dy, both added to what is there.
template <class T>
void backward_weight_impl(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db) {
  const auto N = dy.size(0), O = dy.size(1), I = x.size(1);
  MapConstMatrix<T> DY(dy.data<T>(), N, O);
  MapConstMatrix<T> X(x.data<T>(), N, I);
  MapMatrix<T> DW(dw.data<T>(), O, I);
  DW.noalias() += DY.transpose() * X;
  if (db.defined()) MapRow<T>(db.data<T>(), O) += DY.colwise().sum();
}

}  // namespace

void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y) {
  if (x.dtype() == DType::f64) {
    forward_impl<double>(x, w, b, y);
  } else {
    forward_impl<float>(x, w, b, y);
  }
}

void linear_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx) {
  if (dy.dtype() == DType::f64) {
    backward_data_impl<double>(dy, w, dx);
  } else {
    backward_data_impl<float>(dy, w, dx);
  }
}

void linear_backward_weight(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db) {
  if (dy.dtype() == DType::f64) {
    backward_weight_impl<double>(dy, x, dw, db);
  } else {
    backward_weight_impl<float>(dy, x, dw, db);
  }
}

}  // namespace ctcscope::cpu
