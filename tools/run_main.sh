#!/usr/bin/env bash
# The main job, from a fresh Debian machine (run as root): install what is
# needed, build, generate the default dataset (969 DEPArray-like cells, the
# counts of the paper's Table 1) if it is not there, train with the paper's
# protocol on BF_DAPI, and print the test metrics of the best checkpoint.
#
# Sized for a few minutes on 2 CPU cores, with these reductions of the
# paper's protocol (stated again in the output):
#   from scratch: ResNet18, 64x64 input, all 969 cells, 5 epochs, batch 32,
#                 AdamW lr 1e-3 (the paper's 1e-7 is for fine-tuning ImageNet
#                 weights, not for random ones); about 4 minutes on 2 idle cores
#   with ImageNet weights (CTC_WEIGHTS=FILE, or weights/resnet50-0676ba61.pth,
#                 -11ad3fa6.pth or -19c8e357.pth): ResNet50 as the paper,
#                 96x96 input, 300 cells, 3 epochs, lr 1e-4 (the paper's 1e-7
#                 moves the weights too little in 3 epochs)
# The full protocol (ResNet50, 148x148, every cell, ImageNet weights, lr 1e-7,
# 5 seeds) is `ctcscope experiment datasets/synth --out runs/paper --grid ablations`
# on a GPU. Extra arguments go to `ctcscope train` (they override the above).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
ctc=./build/tools/ctcscope
data=datasets/synth
start=$(date +%s)
if [ ! -f "$data/manifest.csv" ]; then
  "$ctc" synth "$data"
else
  echo "dataset: $data (already there)"
fi
weights="${CTC_WEIGHTS:-}"
for candidate in weights/resnet50-0676ba61.pth weights/resnet50-11ad3fa6.pth weights/resnet50-19c8e357.pth; do
  if [ -z "$weights" ] && [ -f "$candidate" ]; then weights=$candidate; fi
done
run=runs/main_$(date +%Y%m%d_%H%M%S)
if [ -n "$weights" ]; then
  echo "main job: ImageNet weights $weights -> fine-tuning ResNet50."
  echo "reductions for 2 CPU cores: 96x96 input (paper 148), 300 of 969 cells, 3 epochs, lr 1e-4 (paper 1e-7)"
  "$ctc" train "$data" --out "$run" --model resnet50 --weights "$weights" --ablation BF_DAPI --input 96 \
    --max-cells 300 --epochs 3 --batch 16 --lr 1e-4 --patience 0 --threads 2 "$@"
else
  echo "main job: no ImageNet weights found (CTC_WEIGHTS, weights/resnet50-0676ba61.pth) -> training FROM SCRATCH."
  echo "reductions for 2 CPU cores: ResNet18 (paper ResNet50), 64x64 input (paper 148), 5 epochs,"
  echo "lr 1e-3 (the paper's 1e-7 is for fine-tuning ImageNet weights)"
  "$ctc" train "$data" --out "$run" --model resnet18 --ablation BF_DAPI --input 64 \
    --epochs 5 --batch 32 --lr 1e-3 --patience 0 --threads 2 "$@"
fi
echo
echo "test metrics of the best checkpoint (by validation macro F1):"
"$ctc" eval "$run/best.safetensors" "$data" --split-file "$run/split.csv" --out "$run" --threads 2
echo "run folder: $run   wall time: $(( $(date +%s) - start )) s"
