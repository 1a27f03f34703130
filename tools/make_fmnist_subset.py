#!/usr/bin/env python3
"""Write the stratified Fashion-MNIST test subset that libvitx embeds.

Reads the Fashion-MNIST test split (t10k-images-idx3-ubyte.gz and
t10k-labels-idx1-ubyte.gz) from Debian's dataset-fashion-mnist package and
writes 200 images per class (2,000 in all) to data/fashion-mnist-subset/,
gzip-compressed IDX files plus a README naming the source.

Selection: numpy.random.default_rng(SEED); for each class 0..9 in order, a
random permutation of that class's test indices, first 200 kept; the kept
indices are sorted so the subset keeps the test set's original order.
The gzip streams carry no file name and mtime 0, so reruns give identical bytes.

Usage (from the repository root):
    python3 tools/make_fmnist_subset.py [FASHION_MNIST_DIR] [--out DIR]
FASHION_MNIST_DIR defaults to /usr/share/datasets/fashion-mnist.
Needs numpy only.
"""

import argparse
import gzip
import os
import struct
import sys

import numpy as np

SEED = 20240205
PER_CLASS = 200
NUM_CLASSES = 10
DEFAULT_SOURCE = "/usr/share/datasets/fashion-mnist"


def read_idx(path, expected_magic):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    if magic != expected_magic:
        sys.exit(f"{path}: bad magic 0x{magic:08x}, expected 0x{expected_magic:08x}")
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    payload = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim)
    if payload.size != int(np.prod(dims)):
        sys.exit(f"{path}: payload has {payload.size} bytes, header says {int(np.prod(dims))}")
    return payload.reshape(dims)


def write_idx_gz(path, array, magic):
    header = struct.pack(">I", magic) + struct.pack(">" + "I" * array.ndim, *array.shape)
    with open(path, "wb") as raw:
        # filename "" and mtime 0: byte-identical output on every run
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as f:
            f.write(header)
            f.write(np.ascontiguousarray(array, dtype=np.uint8).tobytes())


README = """# Fashion-MNIST test subset (2,000 images)

The default dataset of ViT-X Explorer when Debian's `dataset-fashion-mnist`
package is not installed. It is compiled into libvitx as a GResource
(`/org/vitx/Explorer/core/fashion-mnist-subset/`).

- Source: Fashion-MNIST by Zalando Research
  (https://github.com/zalandoresearch/fashion-mnist), MIT licence,
  Copyright (c) 2017 Zalando SE. Taken from the test split
  (`t10k-images-idx3-ubyte.gz`, `t10k-labels-idx1-ubyte.gz`) installed by
  Debian's `dataset-fashion-mnist` package in `/usr/share/datasets/fashion-mnist`.
- Content: {n} images of 28x28 8-bit grey pixels, {per} per class for the 10
  classes (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker,
  Bag, Ankle boot), in the test set's original order, IDX format, gzip.
- Selection: stratified, `numpy.random.default_rng({seed})`; for each class in
  order 0..9, a random permutation of that class's test indices, first {per} kept.
- Made with (from the repository root):

      python3 tools/make_fmnist_subset.py {source}

- First 10 selected test-set indices: {first}
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?", default=DEFAULT_SOURCE,
                    help="directory with t10k-*-ubyte.gz (default %(default)s)")
    ap.add_argument("--out", default=os.path.join("data", "fashion-mnist-subset"),
                    help="output directory (default %(default)s)")
    args = ap.parse_args()

    images = read_idx(os.path.join(args.source, "t10k-images-idx3-ubyte.gz"), 0x00000803)
    labels = read_idx(os.path.join(args.source, "t10k-labels-idx1-ubyte.gz"), 0x00000801)
    if images.shape[0] != labels.shape[0]:
        sys.exit(f"{images.shape[0]} images but {labels.shape[0]} labels")

    rng = np.random.default_rng(SEED)
    chosen = []
    for c in range(NUM_CLASSES):
        idx = np.flatnonzero(labels == c)
        if idx.size < PER_CLASS:
            sys.exit(f"class {c} has only {idx.size} test images")
        chosen.append(rng.permutation(idx)[:PER_CLASS])
    chosen = np.sort(np.concatenate(chosen))

    os.makedirs(args.out, exist_ok=True)
    write_idx_gz(os.path.join(args.out, "t10k-images-idx3-ubyte.gz"), images[chosen], 0x00000803)
    write_idx_gz(os.path.join(args.out, "t10k-labels-idx1-ubyte.gz"), labels[chosen], 0x00000801)
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write(README.format(n=chosen.size, per=PER_CLASS, seed=SEED, source=args.source,
                              first=", ".join(str(i) for i in chosen[:10])))
    counts = np.bincount(labels[chosen], minlength=NUM_CLASSES)
    print(f"wrote {chosen.size} images to {args.out}; per class {counts.tolist()}")


if __name__ == "__main__":
    main()
