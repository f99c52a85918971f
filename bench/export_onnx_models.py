#!/usr/bin/python3
"""Exports torch_models.py's networks (torchvision's, 2 classes, seed 0, eval
mode) to ONNX for the ONNX Runtime peer, bench/onnx_models.js. torch.onnx.export,
opset 13, a fixed input shape [batch, 3, size, size]: the benchmark runs one
batch size, so the graph need not carry a dynamic one.

Beside each graph goes its check batch: the random input torch_models.py
times (NAME-SHAPE.input.f32, raw little-endian float32) and torch's logits
for it (in NAME-SHAPE.json, written last, so a model whose .json exists is
complete). onnx_models.js runs that batch first, prints how far ONNX
Runtime's logits are from torch's and refuses to time a graph that computes
something else. The check runs there because ONNX Runtime here is the npm
package: Python has no ONNX Runtime on this machine.

The cache folder is keyed by the torch and torchvision versions (DIR/torch-V-
torchvision-W); a model is exported only when missing. Prints that folder."""
import argparse
import json
import os
import sys
import time

import torch
import torchvision

from torch_models import MODELS, seeded_model_and_batch

OPSET = 13


def write_atomic(path, write):
    """write(tmp) then rename: an interrupted export leaves no half file."""
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def export(name, batch, size, stem):
    model, x = seeded_model_and_batch(name, batch, size, "cpu")
    model.eval()
    with torch.no_grad():
        logits = model(x)
    write_atomic(f"{stem}.onnx", lambda tmp: torch.onnx.export(
        model, x, tmp, opset_version=OPSET, input_names=["images"], output_names=["logits"],
        do_constant_folding=True))
    write_atomic(f"{stem}.input.f32", lambda tmp: x.numpy().astype("<f4").tofile(tmp))
    reference = {
        "model": name,
        "exporter": f"torch {torch.__version__} torchvision {torchvision.__version__}, opset {OPSET}",
        "input_shape": list(x.shape),
        "logits_shape": list(logits.shape),
        "logits": logits.flatten().tolist(),
    }
    def write_reference(tmp):
        with open(tmp, "w") as f:
            json.dump(reference, f)

    write_atomic(f"{stem}.json", write_reference)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, help="the models' folder, e.g. bench/.onnx-peer/models")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=148)
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated torchvision names")
    args = ap.parse_args()
    folder = os.path.join(args.cache, f"torch-{torch.__version__}-torchvision-{torchvision.__version__}")
    os.makedirs(folder, exist_ok=True)
    for name in args.models.split(","):
        stem = os.path.join(folder, f"{name}-{args.batch}x3x{args.size}x{args.size}")
        if os.path.exists(f"{stem}.json"):
            continue
        t0 = time.perf_counter()
        export(name, args.batch, args.size, stem)
        print(f"exported {stem}.onnx ({time.perf_counter() - t0:.0f} s)", file=sys.stderr)
    print(folder)


if __name__ == "__main__":
    main()
