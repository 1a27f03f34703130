#!/usr/bin/python3
"""The PyTorch peer of `vitx bench`: the same ViT, the same work, timed.

Usage (from the repository root; Debian's python3-torch and python3-numpy):
    bench/peer-torch.py [--model FILE | --shape deit-s] [--threads T] WORK...

WORK is any of
    predict    top-1 of the first --limit test images (ideal network), for the
               agreement check of bench/compare
    predict-noisy  the same on crossbars (noisy, below), batches of --batch
    ideal      the ideal forward pass, best of --reps, at --batch images
    noisy      the same network on functional-mode crossbars (docs/MODEL.md
               sections 2-4): 8-bit inputs, static weights with read noise
               drawn once per batch, K and V mapped per image and head with
               write and read noise; same equations as vitx, other random numbers
    train      training steps (forward, cross-entropy, backward, gradient
               clipping, AdamW) of the --shape network on random images

Each WORK prints one JSON object on its own line. Timings follow `vitx bench`:
one warm-up pass, then --reps timed passes on random normal images, the best
kept; training, as `vitx bench train`, reports the mean of --reps steps after
one warm-up step. Bench tooling only: nothing in vitx runs Python.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

LN_EPS_DEFAULT = 1e-6
PRUNE_MAX_STAGES = 3

# random-weight shapes: img, patch, chans, classes, dim, depth, heads, mlp
SHAPES = {
    "fmnist": (28, 4, 1, 10, 64, 6, 4, 256),
    "deit-t": (224, 16, 3, 1000, 192, 12, 3, 768),
    "deit-s": (224, 16, 3, 1000, 384, 12, 6, 1536),
    "deit-b": (224, 16, 3, 1000, 768, 12, 12, 3072),
}


def fail(msg):
    sys.stderr.write("peer-torch: %s\n" % msg)
    sys.exit(1)


# ----------------------------------------------------------------------------
# the model: timm/DeiT layout, as core/io/vx-model-io.c reads it

class Arch:
    def __init__(self, img, patch, chans, classes, dim, depth, heads, mlp,
                 distilled=False, ln_eps=LN_EPS_DEFAULT, prune_keep=1.0):
        self.img, self.patch, self.chans, self.classes = img, patch, chans, classes
        self.dim, self.depth, self.heads, self.mlp = dim, depth, heads, mlp
        self.distilled, self.ln_eps, self.prune_keep = distilled, ln_eps, prune_keep
        if img % patch or dim % heads:
            fail("shape: image side %d not a multiple of patch %d, or dim %d of heads %d"
                 % (img, patch, dim, heads))

    @property
    def extra(self):
        return 2 if self.distilled else 1

    @property
    def tokens(self):
        return (self.img // self.patch) ** 2 + self.extra


def read_safetensors(path):
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror))
    if len(data) < 8:
        fail("%s: not a safetensors file (shorter than its 8-byte header size)" % path)
    n = struct.unpack("<Q", data[:8])[0]
    try:
        header = json.loads(data[8:8 + n])
    except ValueError as e:
        fail("%s: safetensors header is not JSON (%s)" % (path, e))
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, info in header.items():
        if info.get("dtype") != "F32":
            fail("%s: tensor %s is %s, only F32 is read" % (path, name, info.get("dtype")))
        b, e = info["data_offsets"]
        raw = np.frombuffer(data[8 + n + b:8 + n + e], dtype="<f4")
        tensors[name] = torch.from_numpy(raw.reshape(info["shape"]).copy())
    return tensors, meta


def load_model(path):
    p, meta = read_safetensors(path)
    try:
        D = p["patch_embed.proj.weight"].shape[0]
        P = p["patch_embed.proj.weight"].shape[2]
        C = p["patch_embed.proj.weight"].shape[1]
        depth = 1 + max(int(k.split(".")[1]) for k in p if k.startswith("blocks."))
        heads = int(meta["vitx.num_heads"])
        img = int(meta.get("vitx.img_size", 0)) or P * int(round(math.sqrt(p["pos_embed"].shape[1] - 1)))
        arch = Arch(img, P, C, p["head.weight"].shape[0], D, depth, heads,
                    p["blocks.0.mlp.fc1.weight"].shape[0], "dist_token" in p,
                    float(meta.get("vitx.ln_eps", LN_EPS_DEFAULT)),
                    float(meta.get("vitx.prune_keep", "1")))
    except (KeyError, ValueError, IndexError) as e:
        fail("%s: not a vitx ViT (missing or bad %s)" % (path, e))
    mean = [float(v) for v in meta.get("vitx.mean", "0").split(",")]
    std = [float(v) for v in meta.get("vitx.std", "1").split(",")]
    return arch, p, mean, std


def random_params(a, seed=1):
    """Truncated-normal(0.02) matrices and tokens, unit LayerNorm gains, zero
    biases: vx_model_init_random's distribution (not its numbers)."""
    g = torch.Generator().manual_seed(seed)
    D, F_, K, N = a.dim, a.mlp, a.classes, a.tokens

    def w(*shape):
        return (0.02 * torch.randn(*shape, generator=g)).clamp_(-0.04, 0.04)
    p = {"cls_token": w(1, 1, D), "pos_embed": w(1, N, D),
         "patch_embed.proj.weight": w(D, a.chans, a.patch, a.patch),
         "patch_embed.proj.bias": torch.zeros(D),
         "norm.weight": torch.ones(D), "norm.bias": torch.zeros(D),
         "head.weight": w(K, D), "head.bias": torch.zeros(K)}
    for i in range(a.depth):
        b = "blocks.%d." % i
        p.update({b + "norm1.weight": torch.ones(D), b + "norm1.bias": torch.zeros(D),
                  b + "attn.qkv.weight": w(3 * D, D), b + "attn.qkv.bias": torch.zeros(3 * D),
                  b + "attn.proj.weight": w(D, D), b + "attn.proj.bias": torch.zeros(D),
                  b + "norm2.weight": torch.ones(D), b + "norm2.bias": torch.zeros(D),
                  b + "mlp.fc1.weight": w(F_, D), b + "mlp.fc1.bias": torch.zeros(F_),
                  b + "mlp.fc2.weight": w(D, F_), b + "mlp.fc2.bias": torch.zeros(D)})
    return p


# ----------------------------------------------------------------------------
# token pruning (vx-forward.c: vx_prune_blocks, vx_prune_keep_count, vx_prune_select)

def prune_blocks(depth):
    out = []
    for i in range(1, PRUNE_MAX_STAGES + 1):
        l = (i * depth + 2) // 4
        if 1 <= l < depth and (not out or out[-1] != l):
            out.append(l)
    return out


def prune_keep_count(n, keep):
    if not keep > 0.0 or keep >= 1.0 or n <= 0:
        return n
    return min(max(int(math.ceil(keep * n - 1e-9)), 1), n)


def prune_tokens(x, probs, T, keep):
    """Keep the T extra tokens and the k patches the class token attends to
    most (mean over heads), ties to the lower index, in their original order."""
    B, N, D = x.shape
    k = prune_keep_count(N - T, keep)
    score = probs[:, :, 0, T:].double().mean(dim=1)                 # (B, N-T)
    order = torch.sort(-score, dim=1, stable=True).indices[:, :k]
    idx = torch.cat([torch.arange(T).expand(B, T), T + order.sort(dim=1).values], dim=1)
    return x.gather(1, idx.unsqueeze(-1).expand(-1, -1, D))


# ----------------------------------------------------------------------------
# functional crossbars (docs/MODEL.md sections 2-4; core/xbar/vx-xbar-map.c)

class Xbar:
    def __init__(self, args):
        self.L = (1 << args.weight_bits) - 1
        self.g = self.L / (args.onoff - 1.0)                         # G_min in level units
        self.sigma_r = args.sigma_r
        self.write_k = args.gamma * args.sigma_w * math.sqrt(self.L)
        self.in_levels = (1 << (args.input_bits - 1)) - 1
        dG = args.onoff - 1.0                                       # (G_max - G_min) / G_min
        self.clip_a = args.alpha * self.L / dG if args.clipformer else 0.0
        self.clip_top = (math.floor((args.beta * args.onoff - 1.0) * self.L / dG + 1e-9)
                         if args.clipformer else float(self.L))
        self.gen = torch.Generator().manual_seed(args.seed)

    def normal(self, shape):
        return torch.randn(shape, generator=self.gen)

    def quantize_inputs(self, x):
        """Symmetric 8-bit inputs, one scale per tensor: x (G, rows, cols)."""
        s = x.abs().amax(dim=(1, 2), keepdim=True)
        inv = torch.where(s > 0, self.in_levels / s, torch.zeros_like(s))
        return torch.round(x * inv) * (s / self.in_levels)

    def decode_static(self, w):
        """Eq. 5, quantisation, eq. 2 on both arrays of each pair, eq. 6."""
        w_max = w.abs().max()
        if not w_max > 0:
            return torch.zeros_like(w)
        q = torch.round(torch.clamp(w.abs() * (self.L / w_max), max=self.L))
        gp = self.g + q
        noise = self.sigma_r * torch.sqrt(gp * gp + self.g * self.g) * self.normal(w.shape)
        return (torch.sign(w) * q + noise) * (w_max / self.L)

    def decode_kv(self, x):
        """x (G, rows, cols), one w_max per G: ClipFormer, eq. 3 then eq. 2, eq. 6."""
        w_max = x.abs().amax(dim=(1, 2), keepdim=True)
        inv = torch.where(w_max > 0, self.L / w_max, torch.zeros_like(w_max))
        q = torch.round(torch.clamp(x.abs() * inv, max=self.L))
        p = torch.clamp(torch.round(torch.clamp(q - self.clip_a, min=0.0)), max=self.clip_top)
        a = self.g + p + self.write_k * torch.sqrt(p) * self.normal(x.shape)
        dec = torch.sign(x) * (a - self.g) + self.sigma_r * torch.sqrt(a * a + self.g * self.g) \
            * self.normal(x.shape)
        return dec * (w_max / self.L)


# ----------------------------------------------------------------------------
# the forward pass (vx-forward.c), ideal or on crossbars

def linear(x, w, b, xb, wdec):
    """x (B, N, Kin): on crossbars the inputs of each image share one scale."""
    if xb is None:
        return F.linear(x, w, b)
    return F.linear(xb.quantize_inputs(x), wdec, b)


def forward(a, p, images, xb=None):
    B = images.shape[0]
    D, H = a.dim, a.heads
    Dh, T = D // H, a.extra
    x = F.conv2d(images, p["patch_embed.proj.weight"], p["patch_embed.proj.bias"], stride=a.patch)
    x = x.flatten(2).transpose(1, 2)                                  # (B, Np, D)
    tokens = [p["cls_token"].expand(B, -1, -1)]
    if a.distilled:
        tokens.append(p["dist_token"].expand(B, -1, -1))
    x = torch.cat(tokens + [x], dim=1) + p["pos_embed"]              # (B, N, D)
    stages = prune_blocks(a.depth) if 0.0 < a.prune_keep < 1.0 else []
    # static arrays: one decode per batch (the default per-batch read noise)
    dec = {}
    if xb is not None:
        for i in range(a.depth):
            for n in ("attn.qkv", "attn.proj", "mlp.fc1", "mlp.fc2"):
                key = "blocks.%d.%s.weight" % (i, n)
                dec[key] = xb.decode_static(p[key])
    probs = None
    for i in range(a.depth):
        if i in stages:
            x = prune_tokens(x, probs, T, a.prune_keep)
        N = x.shape[1]
        b = "blocks.%d." % i
        h = F.layer_norm(x, (D,), p[b + "norm1.weight"], p[b + "norm1.bias"], a.ln_eps)
        qkv = linear(h, p[b + "attn.qkv.weight"], p[b + "attn.qkv.bias"], xb,
                     dec.get(b + "attn.qkv.weight"))
        qkv = qkv.reshape(B, N, 3, H, Dh).permute(2, 0, 3, 1, 4)      # (3, B, H, N, Dh)
        q, k, v = qkv[0], qkv[1], qkv[2]
        # the softmax scale on q (N x Dh), not on the scores (N x N), as timm does
        scale = 1.0 / math.sqrt(Dh)
        if xb is not None:
            q = xb.quantize_inputs(q.reshape(B * H, N, Dh)) * scale
            k = xb.decode_kv(k.reshape(B * H, N, Dh))
            v = xb.decode_kv(v.reshape(B * H, N, Dh))
            s = torch.bmm(q, k.transpose(1, 2)).reshape(B, H, N, N)
        else:
            s = torch.matmul(q * scale, k.transpose(-2, -1))
        probs = torch.softmax(s, dim=-1)                               # (B, H, N, N)
        if xb is not None:
            o = torch.bmm(xb.quantize_inputs(probs.reshape(B * H, N, N)), v).reshape(B, H, N, Dh)
        else:
            o = torch.matmul(probs, v)
        o = o.transpose(1, 2).reshape(B, N, D)                        # heads concatenated
        x = x + linear(o, p[b + "attn.proj.weight"], p[b + "attn.proj.bias"], xb,
                       dec.get(b + "attn.proj.weight"))
        h = F.layer_norm(x, (D,), p[b + "norm2.weight"], p[b + "norm2.bias"], a.ln_eps)
        h = F.gelu(linear(h, p[b + "mlp.fc1.weight"], p[b + "mlp.fc1.bias"], xb,
                          dec.get(b + "mlp.fc1.weight")))
        x = x + linear(h, p[b + "mlp.fc2.weight"], p[b + "mlp.fc2.bias"], xb,
                       dec.get(b + "mlp.fc2.weight"))
    x = F.layer_norm(x, (D,), p["norm.weight"], p["norm.bias"], a.ln_eps)
    logits = F.linear(x[:, 0], p["head.weight"], p["head.bias"])
    if a.distilled:
        logits = (logits + F.linear(x[:, 1], p["head_dist.weight"], p["head_dist.bias"])) / 2
    return logits


# ----------------------------------------------------------------------------
# Fashion-MNIST (core/io/vx-dataset.c: IDX files, plain or gzip)

def read_idx(path):
    try:
        with (gzip.open(path) if path.endswith(".gz") else open(path, "rb")) as f:
            data = f.read()
    except OSError as e:
        fail("%s: %s" % (path, e.strerror or e))
    if len(data) < 4 or data[0] or data[1] or data[2] != 8:
        fail("%s: not an IDX file of unsigned bytes" % path)
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    if len(data) != 4 + 4 * ndim + int(np.prod(dims)):
        fail("%s: IDX size does not match its header %s" % (path, dims))
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def find_split(d, split):
    for name in (split + "-images-idx3-ubyte", split + "-images.idx3-ubyte"):
        for ext in (".gz", ""):
            if os.path.exists(os.path.join(d, name + ext)):
                return (os.path.join(d, name + ext),
                        os.path.join(d, name.replace("images", "labels").replace("idx3", "idx1") + ext))
    fail("%s: no %s-images-idx3-ubyte[.gz] (Fashion-MNIST IDX files)" % (d, split))


def load_test(d, limit, mean, std):
    ip, lp = find_split(d, "t10k")
    images, labels = read_idx(ip)[:limit], read_idx(lp)[:limit]
    x = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
    # the float operations of vx_dataset_fill_batch (and torchvision)
    x = (x / np.float32(255.0) - np.float32(mean[0])) / np.float32(std[0])
    return x, torch.from_numpy(labels.astype(np.int64))


# ----------------------------------------------------------------------------
# the work

def best_seconds(fn, reps):
    fn()                                                             # warm-up
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def run_predict(args, a, p, mean, std, noisy):
    x, labels = load_test(args.data, args.limit, mean, std)
    xb = Xbar(args) if noisy else None
    B = args.batch
    with torch.inference_mode():
        pred = torch.cat([forward(a, p, x[i:i + B], xb).argmax(1) for i in range(0, x.shape[0], B)])
    return {"n_images": int(x.shape[0]), "top1": float((pred == labels).double().mean()),
            "predictions": [int(v) for v in pred]}


def run_forward(args, a, p, noisy):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(args.batch, a.chans, a.img, a.img, generator=g)
    xb = Xbar(args) if noisy else None
    with torch.inference_mode():
        s = best_seconds(lambda: forward(a, p, x, xb), args.reps)
    return {"batch": args.batch, "seconds": s, "images_per_s": args.batch / s}


def run_train(args, a, p):
    g = torch.Generator().manual_seed(3)
    params = {k: v.clone().requires_grad_(True) for k, v in p.items()}
    opt = torch.optim.AdamW(params.values(), lr=1e-4, betas=(0.9, 0.999), weight_decay=0.05)
    x = torch.randn(args.batch, a.chans, a.img, a.img, generator=g)
    y = torch.randint(0, a.classes, (args.batch,), generator=g)

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(forward(a, params, x), y, label_smoothing=0.1)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params.values(), 1.0)
        opt.step()
    # the mean of --reps steps after one warm-up step, as `vitx bench train` times
    step()
    t0 = time.perf_counter()
    for _ in range(args.reps):
        step()
    s = (time.perf_counter() - t0) / args.reps
    return {"batch": args.batch, "seconds": s, "images_per_s": args.batch / s}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("work", nargs="+", choices=("predict", "predict-noisy", "ideal", "noisy", "train"))
    ap.add_argument("--model", help="vitx safetensors model")
    ap.add_argument("--shape", choices=sorted(SHAPES), help="random weights of this shape instead")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist",
                    help="directory of Fashion-MNIST IDX files (predict)")
    ap.add_argument("--limit", type=int, default=1000, help="test images to predict")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--gamma", type=float, default=3.0)
    ap.add_argument("--sigma-r", type=float, default=0.05)
    ap.add_argument("--sigma-w", type=float, default=0.1)
    ap.add_argument("--onoff", type=float, default=100.0)
    ap.add_argument("--weight-bits", type=int, default=8)
    ap.add_argument("--input-bits", type=int, default=8)
    ap.add_argument("--alpha", type=float, default=None, help="ClipFormer shift (enables it)")
    ap.add_argument("--beta", type=float, default=None, help="ClipFormer clip (enables it)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if (args.model is None) == (args.shape is None):
        ap.error("give exactly one of --model FILE and --shape NAME")
    if not 1 <= args.threads <= 1024 or not 1 <= args.batch <= 4096 or not 1 <= args.reps <= 10000:
        ap.error("--threads 1..1024, --batch 1..4096, --reps 1..10000")
    if not 1 <= args.limit <= 10000:
        ap.error("--limit 1..10000")
    if args.onoff <= 1.0 or min(args.gamma, args.sigma_r, args.sigma_w) < 0.0:
        ap.error("--onoff above 1; --gamma, --sigma-r, --sigma-w not negative")
    if not (1 <= args.weight_bits <= 16 and 2 <= args.input_bits <= 16):
        ap.error("--weight-bits 1..16, --input-bits 2..16")
    args.clipformer = args.alpha is not None or args.beta is not None
    args.alpha = 2.0 if args.alpha is None else args.alpha
    args.beta = 1.0 if args.beta is None else args.beta
    if args.clipformer and not (args.alpha >= 1.0 and 0.0 < args.beta <= 1.0):
        ap.error("--alpha at least 1, --beta in (0, 1]")
    return args


def main():
    args = parse_args()
    # Debian's torch multiplies through OpenBLAS (libblas.so.3), whose own
    # thread pool ignores torch.set_num_threads and is sized when the library
    # loads: start again with it sized to --threads, as vitx sizes its own
    if os.environ.get("OPENBLAS_NUM_THREADS") != str(args.threads):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads))
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    if args.model:
        a, p, mean, std = load_model(args.model)
        source = args.model
    else:
        a, p, mean, std = Arch(*SHAPES[args.shape]), None, [0.0], [1.0]
        p = random_params(a)
        source = "random " + args.shape
    for work in args.work:
        if work.startswith("predict"):
            if a.chans != 1 or a.img != 28:
                fail("predict: the model takes %dx%dx%d images, Fashion-MNIST is 1x28x28"
                     % (a.chans, a.img, a.img))
            out = run_predict(args, a, p, mean, std, work == "predict-noisy")
        elif work == "train":
            out = run_train(args, a, p)
        else:
            out = run_forward(args, a, p, work == "noisy")
        out.update({"peer": "torch", "torch": torch.__version__, "work": work,
                    "model": source, "threads": torch.get_num_threads()})
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
