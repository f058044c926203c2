#!/usr/bin/python3
"""Train the default PeakPrune model, a VGG-style CNN, on Fashion-MNIST with PyTorch on the CPU.

This is a development-time tool, not part of the product. Run it with Debian's python3-torch:

    /usr/bin/python3 scripts/train_fashion_mnist.py

It writes scripts/.cache/fashion-mnist-torch.json (parameter names, shapes and offsets, the
training record and the test-set predictions) and scripts/.cache/fashion-mnist-torch.bin (all
parameters and BatchNorm running statistics as little-endian float32). scripts/import-model.ts
turns them into a TensorFlow.js LayersModel.
"""

import argparse
import gzip
import json
import os
import platform
import random
import struct
import sys
import time
from collections import OrderedDict

import numpy as np
import torch
from torch import nn

DATA_DIR = "/usr/share/datasets/fashion-mnist"
CACHE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), ".cache")
BN_EPS = 1e-5  # torch's default; the tfjs model sets the same epsilon explicitly.
BN_MOMENTUM = 0.1  # torch convention (weight of the new batch); Keras calls 1 - 0.1 = 0.9 momentum.


def read_idx(path):
    """Read a gzipped IDX file (unsigned bytes) into a numpy array of its stated shape."""
    with gzip.open(path, "rb") as f:
        data = f.read()
    zero, dtype, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0 or dtype != 0x08:
        raise ValueError(f"{path}: not an unsigned-byte IDX file (header {data[:4].hex()})")
    dims = struct.unpack(">" + "I" * ndim, data[4 : 4 + 4 * ndim])
    body = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if body.size != int(np.prod(dims)):
        raise ValueError(f"{path}: expected {int(np.prod(dims))} values, found {body.size}")
    return body.reshape(dims)


def load_split(prefix):
    """Return images as float32 N×1×28×28 scaled to [0, 1] and labels as int64."""
    images = read_idx(os.path.join(DATA_DIR, f"{prefix}-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(DATA_DIR, f"{prefix}-labels-idx1-ubyte.gz"))
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(labels.astype(np.int64))
    return x, y


def conv_block(layers, index, cin, cout):
    layers.append((f"conv{index}", nn.Conv2d(cin, cout, 3, padding=1, bias=True)))
    layers.append((f"bn{index}", nn.BatchNorm2d(cout, eps=BN_EPS, momentum=BN_MOMENTUM)))
    layers.append((f"relu{index}", nn.ReLU()))


def build_model():
    """Build the network with the same layer names as the tfjs model."""
    layers = []
    channels = [1, 16, 16, 32, 32, 64, 64]
    for i in range(1, 7):
        conv_block(layers, i, channels[i - 1], channels[i])
        if i % 2 == 0:
            layers.append((f"pool{i // 2}", nn.MaxPool2d(2)))
    layers += [
        ("flatten", nn.Flatten()),  # 64×3×3 in channels-first order
        ("dense1", nn.Linear(64 * 3 * 3, 128)),
        ("dense1_relu", nn.ReLU()),
        ("dropout", nn.Dropout(0.3)),
        ("dense2", nn.Linear(128, 10)),  # logits; the tfjs layer adds softmax
    ]
    return nn.Sequential(OrderedDict(layers))


def predict(model, x, batch_size=1000):
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, x.shape[0], batch_size):
            out.append(model(x[start : start + batch_size]).argmax(dim=1))
    return torch.cat(out)


def first_probabilities(model, x, count):
    """Softmax outputs for the first test images, so the importer can compare them value by value."""
    model.eval()
    with torch.no_grad():
        return torch.softmax(model(x[:count]), dim=1).tolist()


def export(model, path_base, record):
    """Write every parameter and buffer (except num_batches_tracked) as float32 little-endian."""
    entries = []
    chunks = []
    offset = 0
    for name, tensor in model.state_dict().items():
        if name.endswith("num_batches_tracked"):
            continue
        array = tensor.detach().cpu().numpy().astype("<f4")
        entries.append({"name": name, "shape": list(array.shape), "offset": offset})
        chunks.append(array.tobytes(order="C"))
        offset += array.size
    with open(path_base + ".bin", "wb") as f:
        for chunk in chunks:
            f.write(chunk)
    manifest = {"format": "peakprune-torch-weights-1", "dtype": "float32-le", "tensors": entries}
    manifest.update(record)
    with open(path_base + ".json", "w") as f:
        json.dump(manifest, f)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    parser.add_argument("--batch-size", type=int, default=128, help="images per step (default 128)")
    parser.add_argument("--lr", type=float, default=2e-3, help="peak Adam learning rate (default 0.002)")
    parser.add_argument("--seed", type=int, default=20170825, help="random seed (default 20170825)")
    parser.add_argument("--threads", type=int, default=2, help="torch CPU threads (default 2)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.use_deterministic_algorithms(True)

    x_train, y_train = load_split("train")
    x_test, y_test = load_split("t10k")
    print(f"train {tuple(x_train.shape)}, test {tuple(x_test.shape)}, torch {torch.__version__}, "
          f"{args.threads} threads", flush=True)

    model = build_model()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps_per_epoch = (x_train.shape[0] + args.batch_size - 1) // args.batch_size
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=args.epochs * steps_per_epoch)
    loss_fn = nn.CrossEntropyLoss()
    shuffle = torch.Generator().manual_seed(args.seed)

    epoch_log = []
    train_start = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        epoch_start = time.perf_counter()
        model.train()
        order = torch.randperm(x_train.shape[0], generator=shuffle)
        total_loss = 0.0
        for start in range(0, order.shape[0], args.batch_size):
            batch = order[start : start + args.batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(x_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            scheduler.step()
            total_loss += loss.item() * batch.shape[0]
        train_seconds = time.perf_counter() - epoch_start
        accuracy = (predict(model, x_test) == y_test).float().mean().item()
        entry = {"epoch": epoch, "seconds": round(train_seconds, 1),
                 "loss": round(total_loss / x_train.shape[0], 4), "testAccuracy": accuracy}
        epoch_log.append(entry)
        print(f"epoch {epoch:2d}/{args.epochs}: {train_seconds:6.1f} s, "
              f"loss {entry['loss']:.4f}, test top-1 {100 * accuracy:.2f} %", flush=True)
    total_seconds = time.perf_counter() - train_start

    predictions = predict(model, x_test)
    accuracy = (predictions == y_test).float().mean().item()
    print(f"trained in {total_seconds:.0f} s; final test top-1 {100 * accuracy:.2f} % "
          f"({int((predictions == y_test).sum())}/{y_test.shape[0]})", flush=True)

    os.makedirs(CACHE_DIR, exist_ok=True)
    record = {
        "torchVersion": torch.__version__,
        "python": platform.python_version(),
        "command": " ".join(["/usr/bin/python3", "scripts/train_fashion_mnist.py"] + sys.argv[1:]),
        "seed": args.seed,
        "epochs": args.epochs,
        "batchSize": args.batch_size,
        "learningRate": args.lr,
        "schedule": "Adam, cosine annealing per step from the peak rate to 0",
        "threads": args.threads,
        "trainSeconds": round(total_seconds, 1),
        "epochLog": epoch_log,
        "testAccuracy": accuracy,
        "testPredictions": predictions.tolist(),
        "firstTestProbabilities": first_probabilities(model, x_test, 16),
        "bnEpsilon": BN_EPS,
    }
    export(model, os.path.join(CACHE_DIR, "fashion-mnist-torch"), record)
    print(f"wrote {os.path.join(CACHE_DIR, 'fashion-mnist-torch')}.json and .bin", flush=True)


if __name__ == "__main__":
    main()
