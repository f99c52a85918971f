// Which GPUs this process can use, asked at run time. Usable in every build:
// without the CUDA backend there are none and the reason says so.
#pragma once

#include <string>

namespace ctcscope {

// The number of CUDA devices; 0 when the build has no CUDA backend or
// cudaGetDeviceCount fails (no driver, no device). `why`, when given, gets
// the reason there are none ("" when there are some).
int cuda_device_count(std::string* why = nullptr);
inline bool cuda_available() { return cuda_device_count() > 0; }

// Throws ctcscope::Error "<what>: no CUDA device: cudaGetDeviceCount says ..."
// (or "...: this build has no CUDA backend") unless a GPU can be used.
void require_cuda_device(const char* what);

}  // namespace ctcscope
