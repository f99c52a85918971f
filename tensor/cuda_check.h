// Checked calls into the CUDA runtime, cuDNN and cuBLAS (CUDA builds only).
// A failed call throws ctcscope::Error naming the call, file:line and the
// library's status name and message:
//   CTC_CUDA_CHECK(cudaMemcpyAsync(dst, src, bytes, kind, stream));
#pragma once

#ifndef CTC_WITH_CUDA
#error "tensor/cuda_check.h is for CUDA builds only (CTC_WITH_CUDA)"
#endif

#include <cublas_v2.h>
#include <cuda_runtime_api.h>
#include <cudnn.h>

#include <string>

#include "base/error.h"

namespace ctcscope::detail {

[[noreturn]] inline void fail_library_call(const char* library, const char* call, const char* file,
                                           int line, const char* status, const std::string& text) {
  throw Error(concat(library, " call failed: ", call, " at ", file, ":", line, ": ", status, " (",
                     text, ")"));
}

[[noreturn]] inline void fail_cuda(const char* call, const char* file, int line, cudaError_t e) {
  fail_library_call("CUDA", call, file, line, cudaGetErrorName(e), cudaGetErrorString(e));
}

[[noreturn]] inline void fail_cudnn(const char* call, const char* file, int line, cudnnStatus_t s) {
  // cuDNN 9 keeps a more specific message for the last failure of the thread.
  char last[512] = {0};
  cudnnGetLastErrorString(last, sizeof(last));
  std::string text = cudnnGetErrorString(s);
  if (last[0] != '\0') text += std::string("; ") + last;
  fail_library_call("cuDNN", call, file, line, cudnnGetErrorString(s), text);
}

[[noreturn]] inline void fail_cublas(const char* call, const char* file, int line,
                                     cublasStatus_t s) {
  fail_library_call("cuBLAS", call, file, line, cublasGetStatusName(s), cublasGetStatusString(s));
}

}  // namespace ctcscope::detail

#define CTC_CUDA_CHECK(call)                                                  \
  do {                                                                        \
    const cudaError_t ctc_status_ = (call);                                   \
    if (ctc_status_ != cudaSuccess) {                                         \
      ::ctcscope::detail::fail_cuda(#call, __FILE__, __LINE__, ctc_status_);  \
    }                                                                         \
  } while (0)

#define CTC_CUDNN_CHECK(call)                                                 \
  do {                                                                        \
    const cudnnStatus_t ctc_status_ = (call);                                 \
    if (ctc_status_ != CUDNN_STATUS_SUCCESS) {                                \
      ::ctcscope::detail::fail_cudnn(#call, __FILE__, __LINE__, ctc_status_); \
    }                                                                         \
  } while (0)

#define CTC_CUBLAS_CHECK(call)                                                 \
  do {                                                                         \
    const cublasStatus_t ctc_status_ = (call);                                 \
    if (ctc_status_ != CUBLAS_STATUS_SUCCESS) {                                \
      ::ctcscope::detail::fail_cublas(#call, __FILE__, __LINE__, ctc_status_); \
    }                                                                          \
  } while (0)
