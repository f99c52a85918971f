#!/usr/bin/env bash
# The paper's four architectures at 148x148, batch 16, on 2 CPU threads:
# ctcscope's bench_models and torchvision's same models (Debian's
# python3-torch) in one run, one after the other, with the ratio
# ctcscope / torchvision for inference and the train step per model.
# Usage: bench/compare_models_cpu.sh [BUILD_DIR] [MODELS]
#   MODELS: comma-separated, default densenet121,efficientnet_b4,resnet50,resnet34
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
models=${2:-densenet121,efficientnet_b4,resnet50,resnet34}
threads=2
py=${PYTHON:-/usr/bin/python3}  # Debian's python, where python3-torch installs
bin=$build/bench/bench_models
[ -x "$bin" ] || { echo "compare_models_cpu.sh: $bin not found: build first (cmake --build $build)" >&2; exit 1; }
"$py" -c 'import torch, torchvision' 2>/dev/null || {
  echo "compare_models_cpu.sh: needs python3-torch and python3-torchvision (apt-get install python3-torchvision)" >&2; exit 1; }

filter="BM_($(echo "$models" | tr ',' '|'))_"
ours=$(mktemp); trap 'rm -f "$ours"' EXIT
echo "== ctcscope ($threads threads)"
OMP_NUM_THREADS=$threads "$bin" --benchmark_filter="$filter" --benchmark_format=console \
  --benchmark_out="$ours" --benchmark_out_format=json
echo "== torchvision ($threads threads)"
peer=$("$py" "$here/torch_models_cpu.py" --threads $threads --models "$models")
echo "$peer"
"$py" - "$ours" "$peer" <<'PY'
import json, sys
ours = {b["name"].split("/")[0]: b["items_per_second"] for b in json.load(open(sys.argv[1]))["benchmarks"]}
peer = json.loads(sys.argv[2])
print(f"\n148x148 batch 16, CPU, 2 threads   (peer: {peer['peer']})")
print(f"{'model':<17}{'work':<12}{'ctcscope img/s':>16}{'torch img/s':>14}{'ratio':>8}")
for m, p in peer["models"].items():
    for work, key, theirs in (("inference", "Inference", p["inference_images_per_s"]),
                              ("train step", "TrainStep", p["train_images_per_s"])):
        a = ours[f"BM_{m}_{key}"]
        print(f"{m:<17}{work:<12}{a:>16.2f}{theirs:>14.2f}{a / theirs:>8.2f}")
PY
