#!/usr/bin/env bash
# Run THERE, on a bare GPU machine (nvcc, CMake, ninja, a compiler and
# /opt/torch/.venv; no registry), with the kit tools/gpu_kit.sh fetched here
# carried along in .gpu-kit/. One call proves the CUDA backend:
#   0. unpack the kit with dpkg -x into a prefix (never into /)
#   1. configure (CMAKE_PREFIX_PATH = the prefix, CUDACXX, sm_90) and build,
#      with all cores, only what the steps below run
#   2. the GPU tests          (ctest label gpu: ops and tensors on the GPU)
#   3. the GPU model checks   (ctest label gpu_models: the four networks and
#                              GPU training against the CPU)
#   4. bench/compare_models.sh cuda (the four networks beside torchvision)
# Tests that are CPU-only by nature are left out (CI runs them); in the steps
# run here a skipped test fails the check (a GPU test that skips has not run).
# Each step's log and summary.txt go to $OUT (else <build>/gpu_check_out) as
# the step ends, so a run killed at its time limit still returns what it did.
#   tools/gpu_check.sh [--build-only] [BUILD_DIR]     (default: build-gpu)
# --build-only stops after step 1 (no GPU needed: how the kit is proven on a
# CPU machine). CTC_CMAKE_ARGS adds configure arguments (a compiler launcher).
set -euo pipefail

build_only=0
if [[ "${1:-}" == "--build-only" ]]; then build_only=1; shift; fi
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$src/build-gpu}"
kit="${CTC_GPU_KIT:-$src/.gpu-kit}"
prefix="${CTC_KIT_PREFIX:-/tmp/ctc-gpu-kit}"
out="${OUT:-$build/gpu_check_out}"
mkdir -p "$out" "$build"
summary="$out/summary.txt"
: > "$summary"
t_start=$SECONDS
note() { echo "== $*" | tee -a "$summary"; }
# step NAME LOG CMD...: runs CMD with its output in $out/LOG, then notes
# the status and seconds; a failed step ends the check. (CMD runs in an ||
# list, where set -e is off: the step functions return on each failure.)
step() {
  local name=$1 log=$out/$2; shift 2
  local t0=$SECONDS rc=0
  note "$name: started at +$((t0 - t_start)) s (log $(basename "$log"))"
  "$@" > "$log" 2>&1 || rc=$?
  note "$name: $([[ $rc -eq 0 ]] && echo ok || echo "FAILED (rc $rc)") in $((SECONDS - t0)) s"
  if [[ $rc -ne 0 ]]; then tail -n 40 "$log" | sed 's/^/   /' | tee -a "$summary"; exit 1; fi
}

note "gpu_check $(date -u +%FT%TZ) on $(hostname), commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores"

# --- 0. the kit, unpacked into its own prefix -------------------------------
unpack_kit() {
  [[ -f "$kit/SHA256SUMS" ]] || { echo "no kit in $kit: run tools/gpu_kit.sh here and carry .gpu-kit"; return 1; }
  (cd "$kit" && sha256sum -c --quiet SHA256SUMS) || return 1
  rm -rf "$prefix"
  mkdir -p "$prefix"
  for deb in "$kit"/*.deb; do dpkg -x "$deb" "$prefix" || return 1; done
  # Debian's dev links may be absolute (libz.so -> /lib/x86_64-linux-gnu/
  # libz.so.1.2.13): point them at the prefix's copy.
  local link target
  while IFS= read -r link; do
    target=$(readlink "$link")
    if [[ "$target" == /* && -e "$prefix$target" ]]; then ln -sfn "$prefix$target" "$link"; fi
  done < <(find "$prefix" -type l)
  find "$prefix" \( -name '*.cmake' -o -name '*.so*' -o -name '*.a' \) -path '*lib*' | sort
}
step "unpack kit" env.log unpack_kit

# cuDNN and cuBLAS from the PyTorch venv's nvidia wheels; cudart and nvcc
# from the toolkit. These paths go to OUR programs only (ctest, bench_models_cuda):
# the PyTorch peer runs with its own libraries and no LD_LIBRARY_PATH.
export CUDACXX="${CUDACXX:-$(command -v nvcc || echo /usr/local/cuda/bin/nvcc)}"
ctc_libs=""
for wheel in /opt/torch/.venv/lib/python3*/site-packages/nvidia; do
  [[ -d "$wheel/cudnn" ]] || continue
  export CUDNN_ROOT="${CUDNN_ROOT:-$wheel/cudnn}"
  ctc_libs="$wheel/cudnn/lib:$wheel/cublas/lib"
done
[[ -d /usr/local/cuda/lib64 ]] && ctc_libs="${ctc_libs:+$ctc_libs:}/usr/local/cuda/lib64"
ctc_libs="$prefix/usr/lib/x86_64-linux-gnu:$prefix/lib/x86_64-linux-gnu${ctc_libs:+:$ctc_libs}"
# One OpenMP thread per test process: ctest runs $(nproc) of them at once
# (OpenMP's default would put nproc x nproc spinning threads on the cores).
ours=(env "LD_LIBRARY_PATH=$ctc_libs" OMP_NUM_THREADS=1 OMP_WAIT_POLICY=passive
      CTC_PYTHON=/opt/torch/.venv/bin/python)
{ echo "CUDACXX=$CUDACXX"; echo "CUDNN_ROOT=${CUDNN_ROOT:-<unset>}"; echo "our LD_LIBRARY_PATH=$ctc_libs"
  "$CUDACXX" --version | tail -n 2; cmake --version | sed -n 1p; c++ --version | sed -n 1p
  ldd --version | sed -n 1p; nvidia-smi 2>&1 || true; } >> "$out/env.log"

# --- 1. configure and build -------------------------------------------------
# The GPU test programs (one per tests/<folder> with *_cuda.cpp files, as
# tests/CMakeLists.txt makes them) and the GPU benchmark.
targets=($(cd "$src/tests" && ls -d */*_cuda.cpp | cut -d/ -f1 | sort -u | sed 's/.*/test_&_cuda/') bench_models_cuda)
configure_and_build() {
  # shellcheck disable=SC2086  # CTC_CMAKE_ARGS is a list of arguments
  # No -Werror: that machine's compiler may warn where CI's does not, and a
  # warning must not cost the GPU run (CI builds with CTC_WERROR=ON).
  cmake -G Ninja -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCTC_CUDA=ON \
    -DCMAKE_CUDA_ARCHITECTURES=90 -DCMAKE_PREFIX_PATH="$prefix/usr" \
    -DCMAKE_CUDA_COMPILER="$CUDACXX" ${CTC_CMAKE_ARGS:-} || return 1
  grep -q '^CTC_CUDA:BOOL=ON' "$build/CMakeCache.txt" || { echo "configure did not enable the CUDA backend"; return 1; }
  cmake --build "$build" -j "$(nproc)" --target "${targets[@]}"
}
step "configure and build (${targets[*]})" build.log configure_and_build
if [[ $build_only -eq 1 ]]; then note "OK: built (--build-only) in $((SECONDS - t_start)) s"; exit 0; fi
nvidia-smi -L > /dev/null 2>&1 || { note "FAIL: nvidia-smi does not answer: no GPU here"; exit 1; }

# --- 2, 3. the GPU tests, then the model checks ------------------------------
# ctest prints "***Skipped" for GTEST_SKIP; here a skip is a failure.
gpu_tests() {
  local label=$1 rc=0
  "${ours[@]}" ctest --test-dir "$build" -L "^$label\$" -j "$(nproc)" --output-on-failure \
    --timeout 300 || rc=$?
  return $rc
}
no_skips() {
  local log=$out/$1 n
  n=$(grep -c '\*\*\*Skipped' "$log" || true)
  grep -q 'tests passed' "$log" || { note "FAIL: $1 holds no ctest summary"; exit 1; }
  if [[ $n -ne 0 ]]; then
    grep '\*\*\*Skipped' "$log" | sed 's/^/   /' | tee -a "$summary"
    note "FAIL: $n tests skipped in $1; on a GPU machine every GPU test must run"; exit 1
  fi
}
step "GPU tests (label gpu)" tests.log gpu_tests gpu
no_skips tests.log
step "GPU model checks (label gpu_models)" models.log gpu_tests gpu_models
no_skips models.log

# --- 4. the benchmark beside torchvision --------------------------------------
step "benchmark: bench/compare_models.sh cuda" bench.log \
  env CTC_BENCH_ENV="LD_LIBRARY_PATH=$ctc_libs" "$src/bench/compare_models.sh" cuda "$build"
tail -n 12 "$out/bench.log" | tee -a "$summary"
note "OK: every step passed in $((SECONDS - t_start)) s"
