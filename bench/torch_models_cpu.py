#!/usr/bin/python3
"""The peer of bench_models: torchvision's densenet121, efficientnet_b4,
resnet50 and resnet34 on the CPU doing the same work (148x148, batch 16,
2 classes): eval-mode inference and a full train step (forward,
cross-entropy, backward, AdamW). Prints one JSON object: for each model,
images per second (median over timed repeats) for each."""
import argparse
import json
import statistics
import time

import torch
import torchvision

MODELS = ["densenet121", "efficientnet_b4", "resnet50", "resnet34"]


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure(name, batch, size, repeats):
    torch.manual_seed(0)
    model = getattr(torchvision.models, name)(num_classes=2)
    x = torch.randn(batch, 3, size, size)
    labels = torch.arange(batch) % 2

    model.eval()

    def infer():
        with torch.no_grad():
            model(x)

    t_infer = timed(infer, 1, repeats)

    model.train()
    opt = torch.optim.AdamW(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), labels).backward()
        opt.step()

    t_train = timed(step, 1, repeats)
    return {"inference_images_per_s": batch / t_infer, "train_images_per_s": batch / t_train}


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=148)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--models", default=",".join(MODELS), help="comma-separated torchvision names")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    out = {
        "peer": f"torch {torch.__version__} torchvision {torchvision.__version__}",
        "threads": torch.get_num_threads(),
        "models": {m: measure(m, args.batch, args.size, args.repeats) for m in args.models.split(",")},
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
