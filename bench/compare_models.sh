#!/usr/bin/env bash
# The paper's four architectures at 148x148: ctcscope's benchmark program and
# torchvision's same models in one run, one after the other, on one device,
# with the ratio ctcscope / torchvision for inference and the train step.
#   cpu:  bench_models (batch 16, 2 threads) beside Debian's python3-torch, and
#         for inference beside ONNX Runtime when bench/install_onnx_peer.sh has
#         installed it (in bench/.onnx-peer, or $ONNX_PEER_DIR)
#   cuda: bench_models_cuda (batch 32, TF32) beside /opt/torch/.venv's torch
# Usage: bench/compare_models.sh cpu|cuda [BUILD_DIR] [MODELS]
#   MODELS: comma-separated, default densenet121,efficientnet_b4,resnet50,resnet34
# PYTHON overrides the peer's interpreter; PEER_REPEATS the peers' timed
# repeats (default 5 on the CPU, 30 on the GPU), for a quick run.
# CTC_BENCH_ENV (VAR=VALUE ...) goes to ctcscope's program only: the peer runs
# without LD_LIBRARY_PATH, so it loads its own cuDNN and cuBLAS, never ours
# (tools/gpu_check.sh sets both).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
device=${1:-}
build=${2:-$here/../build}
models=${3:-densenet121,efficientnet_b4,resnet50,resnet34}
threads=2
onnx_dir=${ONNX_PEER_DIR:-$here/.onnx-peer}
repeats=(); [ -z "${PEER_REPEATS:-}" ] || repeats=(--repeats "$PEER_REPEATS")
case "$device" in
  cpu)  bin=$build/bench/bench_models; batch=16; py=${PYTHON:-/usr/bin/python3}
        hint="apt-get install python3-torchvision" ;;
  cuda) bin=$build/bench/bench_models_cuda; batch=32; py=${PYTHON:-/opt/torch/.venv/bin/python}
        hint="a PyTorch with CUDA and torchvision, as in /opt/torch/.venv" ;;
  *) echo "usage: bench/compare_models.sh cpu|cuda [BUILD_DIR] [MODELS]" >&2; exit 2 ;;
esac
[ -x "$bin" ] || { echo "compare_models.sh: $bin not found: build first (cmake --build $build)" >&2; exit 1; }
env -u LD_LIBRARY_PATH "$py" -c 'import torch, torchvision' 2>/dev/null || {
  echo "compare_models.sh: $py cannot import torch and torchvision: needs $hint" >&2; exit 1; }

filter="BM_($(echo "$models" | tr ',' '|'))_"
ours=$(mktemp); trap 'rm -f "$ours"' EXIT
echo "== ctcscope ($device)"
# shellcheck disable=SC2086  # CTC_BENCH_ENV is a list of VAR=VALUE words
env ${CTC_BENCH_ENV:-} OMP_NUM_THREADS=$threads "$bin" --benchmark_filter="$filter" --benchmark_format=console \
  --benchmark_out="$ours" --benchmark_out_format=json
echo "== torchvision ($device)"
peer=$(env -u LD_LIBRARY_PATH "$py" "$here/torch_models.py" --device "$device" --threads $threads --batch $batch \
  --models "$models" "${repeats[@]}")
echo "$peer"
onnx=""
if [ "$device" = cpu ]; then
  if [ -d "$onnx_dir/node_modules/onnxruntime-node" ] && command -v node >/dev/null; then
    echo "== ONNX Runtime ($device, inference)"
    graphs=$(env -u LD_LIBRARY_PATH "$py" "$here/export_onnx_models.py" --cache "$onnx_dir/models" --batch $batch \
      --models "$models")
    onnx=$(node "$here/onnx_models.js" --peer "$onnx_dir" --models-dir "$graphs" --threads $threads --batch $batch \
      --models "$models" "${repeats[@]}")
    echo "$onnx"
  else
    echo "== no ONNX Runtime peer in $onnx_dir: its columns are left out (bash bench/install_onnx_peer.sh $onnx_dir installs it; needs node and npm)"
  fi
fi
"$py" - "$ours" "$peer" "$device" "$batch" "$onnx" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
failed = [b["name"] for b in runs if b.get("error_occurred")]
if failed:
    sys.exit(f"compare_models.sh: ctcscope's benchmarks did not run: {', '.join(failed)}")
ours = {b["name"].split("/")[0]: b["items_per_second"] for b in runs}
peer = json.loads(sys.argv[2])
onnx = json.loads(sys.argv[5]) if sys.argv[5] else None
peers = f"peers: {peer['peer']}, {onnx['peer']}" if onnx else f"peer: {peer['peer']}"
print(f"\n148x148 batch {sys.argv[4]}, {sys.argv[3]} ({peer['where']}; {peers})")
print(f"{'model':<17}{'work':<12}{'ctcscope img/s':>16}{'torch img/s':>14}{'ratio':>8}"
      + (f"{'onnxrt img/s':>15}{'vs onnxrt':>11}" if onnx else ""))
for m, p in peer["models"].items():
    for work, key, theirs in (("inference", "Inference", p["inference_images_per_s"]),
                              ("train step", "TrainStep", p["train_images_per_s"])):
        a = ours[f"BM_{m}_{key}"]
        row = f"{m:<17}{work:<12}{a:>16.2f}{theirs:>14.2f}{a / theirs:>8.2f}"
        if onnx:  # ONNX Runtime only infers: train rows show "-"
            rt = onnx["models"][m]["inference_images_per_s"] if key == "Inference" else None
            row += f"{rt:>15.2f}{a / rt:>11.2f}" if rt else f"{'-':>15}{'-':>11}"
        print(row)
PY
