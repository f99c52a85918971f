// How the GPU backend does its arithmetic, set by the caller (the training
// command, a test) and read by every CUDA op. Backend-neutral: it compiles,
// and is simply unused, in a build without CUDA.
#pragma once

namespace ctcscope {

struct GpuMath {
  // TF32 tensor cores for convolutions and GEMMs (PyTorch's default for
  // convolutions); false gives strict fp32 (cuDNN CUDNN_FMA_MATH, cuBLAS
  // CUBLAS_COMPUTE_32F).
  bool allow_tf32 = true;
  // Only cuDNN algorithms marked CUDNN_DETERMINISTIC, and own kernels that
  // sum in a fixed order: the same bits run after run on the same GPU.
  bool deterministic = false;
};

GpuMath gpu_math();
void set_gpu_math(const GpuMath& math);

// Errors the GPU's kernels flag instead of waiting for the host after each
// op (a max-pool index outside its window, a label out of range in the
// cross-entropy backward) travel with the next loss read-back; this reads
// them now (one small copy, a wait for the GPU) and throws naming them. For
// the end of an epoch or a test. Does nothing without a GPU context.
void check_gpu_errors();

}  // namespace ctcscope
