#!/usr/bin/python3
"""Top-1 accuracy of a vitx model in PyTorch, to cross-check `vitx eval`.

Usage: tools/torch_eval.py MODEL.safetensors [FASHION_MNIST_DIR]

Loads the safetensors file (timm names, vitx.* metadata), runs the same
timm/DeiT forward pass as tools/make_forward_reference.py in float32 on the
Fashion-MNIST test set (Debian's dataset-fashion-mnist by default) with the
model's own normalisation, and prints the accuracy and the number of images
whose top-1 differs from a float64 run (a measure of rounding sensitivity).
Run by hand; nothing at build or test time depends on it.
"""
import gzip
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_forward_reference as ref  # noqa: E402


def read_idx(path):
    with gzip.open(path) if path.endswith(".gz") else open(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def main():
    model_path = sys.argv[1]
    data_dir = sys.argv[2] if len(sys.argv) > 2 else "/usr/share/datasets/fashion-mnist"
    tensors, meta = ref.read_safetensors(model_path)
    a = ref.Arch(int(meta["vitx.img_size"]), int(meta["vitx.patch_size"]),
                 int(meta["vitx.in_chans"]), int(meta["vitx.num_classes"]),
                 int(meta["vitx.embed_dim"]), int(meta["vitx.depth"]),
                 int(meta["vitx.num_heads"]), int(meta["vitx.mlp_hidden"]),
                 meta.get("vitx.distilled", "0") == "1")
    mean = float(meta["vitx.mean"].split(",")[0])
    std = float(meta["vitx.std"].split(",")[0])
    images = read_idx(os.path.join(data_dir, "t10k-images-idx3-ubyte.gz"))
    labels = torch.tensor(read_idx(os.path.join(data_dir, "t10k-labels-idx1-ubyte.gz")).astype(np.int64))
    x = (torch.tensor(images, dtype=torch.float32) / 255.0 - mean) / std
    x = x.unsqueeze(1)
    preds = {}
    for dtype in (torch.float32, torch.float64):
        p = {k: torch.tensor(np.array(v), dtype=dtype) for k, v in tensors.items()}
        out = []
        with torch.no_grad():
            for i in range(0, x.shape[0], 500):
                out.append(ref.vit_forward(a, p, x[i:i + 500].to(dtype)).argmax(1))
        preds[dtype] = torch.cat(out)
    correct = int((preds[torch.float32] == labels).sum())
    flips = int((preds[torch.float32] != preds[torch.float64]).sum())
    print(json.dumps({"model": model_path, "n_images": int(labels.shape[0]),
                      "top1": correct / labels.shape[0], "top1_correct": correct,
                      "float32_vs_float64_disagreements": flips}))


if __name__ == "__main__":
    main()
