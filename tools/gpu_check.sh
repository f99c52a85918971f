#!/usr/bin/env bash
# On a machine with a GPU: configure with the CUDA backend (cuDNN from
# CUDNN_ROOT, /opt/torch/.venv's nvidia wheels or /usr/local/cuda), build,
# run the whole test suite, FAIL if any test was skipped (a GPU test that
# skips has not run), then run the GPU benchmarks beside torchvision. Everything goes to a log.
#   tools/gpu_check.sh [build-dir]     (default: build-gpu; log: <build-dir>/gpu_check.log)
set -euo pipefail

src="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$src/build-gpu}"
mkdir -p "$build"
log="$build/gpu_check.log"
: > "$log"
say() { echo "== $*" | tee -a "$log"; }

say "gpu_check $(date -u +%FT%TZ) on $(hostname), commit $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?')"
nvidia-smi 2>&1 | tee -a "$log" || { say "FAIL: nvidia-smi does not answer: no GPU here"; exit 1; }

# cuDNN / cuBLAS from the PyTorch virtualenv's wheels when they are there;
# their libraries also go on LD_LIBRARY_PATH (cuDNN 9 loads its parts at run time).
cmake_args=(-G Ninja -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCTC_CUDA=ON)
for wheel in /opt/torch/.venv/lib/python3*/site-packages/nvidia; do
  [[ -d "$wheel/cudnn" ]] || continue
  [[ -z "${CUDNN_ROOT:-}" ]] && export CUDNN_ROOT="$wheel/cudnn"
  export LD_LIBRARY_PATH="$wheel/cudnn/lib:$wheel/cublas/lib:${LD_LIBRARY_PATH:-}"
done
[[ -d /usr/local/cuda/lib64 ]] && export LD_LIBRARY_PATH="/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
say "CUDNN_ROOT=${CUDNN_ROOT:-<unset>} LD_LIBRARY_PATH=${LD_LIBRARY_PATH:-}"

say "configure"
cmake "${cmake_args[@]}" 2>&1 | tee -a "$log"
grep -q "CTC_CUDA=ON" "$log" || { say "FAIL: configure did not enable the CUDA backend"; exit 1; }
say "build"
cmake --build "$build" -j "$(nproc)" 2>&1 | tee -a "$log"

say "tests"
set +e
ctest --test-dir "$build" -j "$(nproc)" --output-on-failure 2>&1 | tee -a "$build/ctest.out" | tee -a "$log"
rc=${PIPESTATUS[0]}
set -e
# ctest lists skipped tests as "***Skipped" (gtest's GTEST_SKIP).
skipped=$(grep -c '\*\*\*Skipped' "$build/ctest.out" || true)
rm -f "$build/ctest.out"
if [[ $rc -ne 0 ]]; then say "FAIL: tests failed (ctest rc=$rc)"; exit 1; fi
if [[ $skipped -ne 0 ]]; then
  grep '\*\*\*Skipped' "$log" | sed 's/^/   /'
  say "FAIL: $skipped tests were skipped; on a GPU machine every test must run"
  exit 1
fi
say "all tests ran and passed"

say "benchmarks: the four networks on the GPU beside torchvision (bench/compare_models.sh cuda)"
"$src/bench/compare_models.sh" cuda "$build" 2>&1 | tee -a "$log"
say "OK: log in $log"
