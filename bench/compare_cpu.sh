#!/usr/bin/env bash
# ResNet50 at 148x148, batch 16, on 2 CPU threads: ctcscope's benchmark and
# torchvision's (Debian's python3-torch) in one run, one after the other,
# with the ratio ctcscope / torchvision for inference and the train step.
# Usage: bench/compare_cpu.sh [BUILD_DIR]   (default: build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
threads=2
py=${PYTHON:-/usr/bin/python3}  # Debian's python, where python3-torch installs
bin=$build/bench/bench_resnet50
[ -x "$bin" ] || { echo "compare_cpu.sh: $bin not found: build first (cmake --build $build)" >&2; exit 1; }
"$py" -c 'import torch, torchvision' 2>/dev/null || {
  echo "compare_cpu.sh: needs python3-torch and python3-torchvision (apt-get install python3-torchvision)" >&2; exit 1; }

ours=$(mktemp); trap 'rm -f "$ours"' EXIT
echo "== ctcscope ($threads threads)"
OMP_NUM_THREADS=$threads "$bin" --benchmark_format=console --benchmark_out="$ours" --benchmark_out_format=json
echo "== torchvision ($threads threads)"
peer=$("$py" "$here/torch_resnet50_cpu.py" --threads $threads)
echo "$peer"
"$py" - "$ours" "$peer" <<'PY'
import json, sys
ours = {b["name"].split("/")[0]: b["items_per_second"] for b in json.load(open(sys.argv[1]))["benchmarks"]}
peer = json.loads(sys.argv[2])
rows = [("inference", ours["BM_ResNet50_Inference"], peer["inference_images_per_s"]),
        ("train step", ours["BM_ResNet50_TrainStep"], peer["train_images_per_s"])]
print(f"\nResNet50 148x148 batch 16, CPU, 2 threads   (peer: {peer['peer']})")
print(f"{'work':<12}{'ctcscope img/s':>16}{'torch img/s':>14}{'ratio':>8}")
for name, a, b in rows:
    print(f"{name:<12}{a:>16.2f}{b:>14.2f}{a / b:>8.2f}")
PY
