// Linear on the GPU: the three products through cuBLAS (row-major tensors
// read as column-major transposes, so operands swap), and two small kernels
// for the bias. bias broadcast: a thread per element of y (4 bytes written);
// bias gradient: a thread per output feature summing its column over the
// batch in order (deterministic, 4*N bytes read).
#include "kernels/cuda/common.h"
#include "kernels/linear.h"

namespace ctcscope::cuda {
namespace {

// TF32 tensor cores unless strict fp32 (kernels/gpu_math.h).
cublasComputeType_t compute_type(const DeviceContext& ctx) {
  return ctx.math().allow_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

// C (m x n, column-major) = alpha * op(A) op(B) + beta * C, all f32.
void gemm(DeviceContext& ctx, cublasOperation_t ta, cublasOperation_t tb, int m, int n, int k,
          const float* a, int lda, const float* b, int ldb, float beta, float* c, int ldc) {
  const float alpha = 1.0f;
  CTC_CUBLAS_CHECK(cublasGemmEx(ctx.cublas(), ta, tb, m, n, k, &alpha, a, CUDA_R_32F, lda, b,
                                CUDA_R_32F, ldb, &beta, c, CUDA_R_32F, ldc, compute_type(ctx),
                                CUBLAS_GEMM_DEFAULT));
}

}  // namespace

__global__ void linear_bias_broadcast_kernel(const float* b, float* y, std::int64_t n,
                                             std::int64_t o) {
  for (std::int64_t i = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; i < n * o;
       i += std::int64_t{gridDim.x} * blockDim.x) {
    y[i] = b[i % o];
  }
}

// db[j] += sum_i dy[i,j], rows in order.
__global__ void linear_bias_grad_kernel(const float* dy, float* db, std::int64_t n,
                                        std::int64_t o) {
  for (std::int64_t j = blockIdx.x * std::int64_t{blockDim.x} + threadIdx.x; j < o;
       j += std::int64_t{gridDim.x} * blockDim.x) {
    float s = 0.0f;
    for (std::int64_t i = 0; i < n; ++i) s += dy[i * o + j];
    db[j] += s;
  }
}

// y[N,O] = x[N,I] w[O,I]^T + b. Column-major: y^T (O x N) = op_T(w^T (I x O)) * x^T (I x N).
void linear_forward(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y) {
  const char* op = "linear_forward";
  require_f32(x, op, "x");
  DeviceContext& ctx = device_context();
  const int N = to_int(x.size(0), op, "N"), I = to_int(x.size(1), op, "I");
  const int O = to_int(w.size(0), op, "O");
  if (N == 0) return;
  float beta = 0.0f;
  if (b.defined()) {
    linear_bias_broadcast_kernel<<<blocks_for(std::int64_t{N} * O), kThreads, 0, ctx.stream()>>>(
        b.data<float>(), y.data<float>(), N, O);
    CTC_CUDA_CHECK(cudaGetLastError());
    beta = 1.0f;
  }
  gemm(ctx, CUBLAS_OP_T, CUBLAS_OP_N, O, N, I, w.data<float>(), I, x.data<float>(), I, beta,
       y.data<float>(), O);
}

// dx[N,I] = dy[N,O] w[O,I]. Column-major: dx^T (I x N) = w^T (I x O) * dy^T (O x N).
void linear_backward_data(const Tensor& dy, const Tensor& w, Tensor& dx) {
  const char* op = "linear_backward_data";
  require_f32(dy, op, "dy");
  DeviceContext& ctx = device_context();
  const int N = to_int(dy.size(0), op, "N"), O = to_int(dy.size(1), op, "O");
  const int I = to_int(w.size(1), op, "I");
  if (N == 0) return;
  gemm(ctx, CUBLAS_OP_N, CUBLAS_OP_N, I, N, O, w.data<float>(), I, dy.data<float>(), O, 0.0f,
       dx.data<float>(), I);
}

// dw[O,I] += dy^T x. Column-major: dw^T (I x O) += x^T (I x N) * op_T(dy^T (O x N)).
void linear_backward_weight(const Tensor& dy, const Tensor& x, Tensor& dw, Tensor& db) {
  const char* op = "linear_backward_weight";
  require_f32(dy, op, "dy");
  DeviceContext& ctx = device_context();
  const int N = to_int(dy.size(0), op, "N"), O = to_int(dy.size(1), op, "O");
  const int I = to_int(x.size(1), op, "I");
  if (N == 0) return;
  gemm(ctx, CUBLAS_OP_N, CUBLAS_OP_T, I, O, N, x.data<float>(), I, dy.data<float>(), O, 1.0f,
       dw.data<float>(), I);
  if (db.defined()) {
    linear_bias_grad_kernel<<<blocks_for(O), kThreads, 0, ctx.stream()>>>(dy.data<float>(),
                                                                          db.data<float>(), N, O);
    CTC_CUDA_CHECK(cudaGetLastError());
  }
}

}  // namespace ctcscope::cuda
