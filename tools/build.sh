#!/usr/bin/env bash
# The one build of ctcscope, in ./build: Release, warnings as errors, tests
# and benchmarks. tools/run_main.sh and tools/run_tests.sh both call it with
# the same flags, so whichever runs second finds the build done.
# CUDA code is compiled for the GPU this machine has (nvidia-smi), or, with
# none, for sm_90 only: that checks every .cu file compiles and links at half
# the cost of sm_80 and sm_90 both. CTC_CUDA_ARCHS overrides ("80;90").
# Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
archs="${CTC_CUDA_ARCHS:-}"
if [ -z "$archs" ]; then
  archs=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d '.' || true)
  [ -n "$archs" ] || archs=90
fi
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCTC_WERROR=ON "-DCMAKE_CUDA_ARCHITECTURES=$archs" "$@" >/dev/null
cmake --build build
