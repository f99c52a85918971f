#!/usr/bin/python3
"""The peer of bench_models and bench_models_cuda: torchvision's densenet121,
efficientnet_b4, resnet50 and resnet34 doing the same work (148x148, 2
classes, the same batch): eval-mode inference and a full train step (forward,
cross-entropy, backward, AdamW), on the CPU or the GPU. On the GPU it uses
what ctcscope uses by default (TF32 for convolutions and GEMMs) and lets
cuDNN pick algorithms by timing (cudnn.benchmark), the peer's fastest
fp32 setting; each timed repeat ends with a synchronise. Prints one JSON
object: for each model, images per second (median over timed repeats)."""
import argparse
import json
import statistics
import time

import torch
import torchvision

MODELS = ["densenet121", "efficientnet_b4", "resnet50", "resnet34"]


def timed(fn, sync, warmup, repeats):
    for _ in range(warmup):
        fn()
    sync()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def seeded_model_and_batch(name, batch, size, device):
    """The network (2 classes) and a random batch, both from seed 0: the ONNX
    export (export_onnx_models.py) builds the same ones through this."""
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(num_classes=2).to(device)
    x = torch.randn(batch, 3, size, size, device=device)
    return model, x


def measure(name, batch, size, device, warmup, repeats):
    model, x = seeded_model_and_batch(name, batch, size, device)
    labels = (torch.arange(batch) % 2).to(device)
    sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)

    model.eval()

    def infer():
        with torch.no_grad():
            model(x)

    t_infer = timed(infer, sync, warmup, repeats)

    model.train()
    opt = torch.optim.AdamW(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), labels).backward()
        opt.step()

    t_train = timed(step, sync, warmup, repeats)
    return {"inference_images_per_s": batch / t_infer, "train_images_per_s": batch / t_train}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads (the CPU device)")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=148)
    ap.add_argument("--repeats", type=int, default=None, help="default 5 on the CPU, 30 on the GPU")
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated torchvision names")
    args = ap.parse_args()
    if args.device == "cuda":
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
        warmup, repeats, where = 5, args.repeats or 30, torch.cuda.get_device_name()
    else:
        torch.set_num_threads(args.threads)
        warmup, repeats, where = 1, args.repeats or 5, f"{torch.get_num_threads()} CPU threads"
    out = {
        "peer": f"torch {torch.__version__} torchvision {torchvision.__version__}",
        "where": where,
        "models": {m: measure(m, args.batch, args.size, args.device, warmup, repeats)
                   for m in args.models.split(",")},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
