#!/usr/bin/python3
"""The peer: torchvision's ResNet50 on the CPU doing the same work as
bench_resnet50 (148x148, batch 16, 2 classes): eval-mode inference and a full
train step (forward, cross-entropy, backward, AdamW). Prints one JSON object
with images per second (median over timed repeats) for each."""
import argparse
import json
import statistics
import time

import torch
import torchvision


def timed(fn, warmup, repeats):
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--size", type=int, default=148)
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = torchvision.models.resnet50(num_classes=2)
    x = torch.randn(args.batch, 3, args.size, args.size)
    labels = torch.arange(args.batch) % 2

    model.eval()

    def infer():
        with torch.no_grad():
            model(x)

    t_infer = timed(infer, 2, args.repeats)

    model.train()
    opt = torch.optim.AdamW(model.parameters())
    loss_fn = torch.nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss_fn(model(x), labels).backward()
        opt.step()

    t_train = timed(step, 2, args.repeats)
    print(json.dumps({
        "peer": f"torch {torch.__version__} torchvision {torchvision.__version__}",
        "threads": torch.get_num_threads(),
        "inference_images_per_s": args.batch / t_infer,
        "train_images_per_s": args.batch / t_train,
    }))


if __name__ == "__main__":
    main()
