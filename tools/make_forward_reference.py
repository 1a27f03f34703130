#!/usr/bin/python3
# make_forward_reference.py: PyTorch reference data for the ViT forward pass.
#
# Builds small random Vision Transformers in timm's layout and naming (a plain
# one, a distilled DeiT one, and a DeiT-S-shaped one whose weights follow a
# formula the C test reproduces), runs them in float64 on a batch of inputs,
# and writes the models and the expected logits, per-block attention outputs
# and per-block residual streams to tests/data/ as safetensors files.
#
# Run by hand from the repository root (needs Debian's python3-torch, numpy):
#     /usr/bin/python3 tools/make_forward_reference.py [--out tests/data] [--only CASE]
# tests/data/README.md describes every file this writes.

import argparse
import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

LN_EPS = 1e-6

FASHION_CLASSES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                   "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]


# ----------------------------------------------------------------------------
# architecture and parameter names (timm's VisionTransformer / DeiT)

class Arch:
    def __init__(self, img_size, patch_size, in_chans, num_classes, embed_dim,
                 depth, num_heads, mlp_hidden, distilled):
        self.img_size = img_size        # S
        self.patch_size = patch_size    # P
        self.in_chans = in_chans        # C
        self.num_classes = num_classes  # K
        self.embed_dim = embed_dim      # D
        self.depth = depth              # L
        self.num_heads = num_heads      # H
        self.mlp_hidden = mlp_hidden    # F
        self.distilled = distilled
        assert img_size % patch_size == 0 and embed_dim % num_heads == 0

    @property
    def num_patches(self):
        return (self.img_size // self.patch_size) ** 2

    @property
    def num_tokens(self):
        return self.num_patches + (2 if self.distilled else 1)

    def metadata(self, mean, std, class_names):
        return {
            "vitx.img_size": str(self.img_size),
            "vitx.patch_size": str(self.patch_size),
            "vitx.in_chans": str(self.in_chans),
            "vitx.num_classes": str(self.num_classes),
            "vitx.embed_dim": str(self.embed_dim),
            "vitx.depth": str(self.depth),
            "vitx.num_heads": str(self.num_heads),
            "vitx.mlp_hidden": str(self.mlp_hidden),
            "vitx.distilled": "1" if self.distilled else "0",
            "vitx.mean": ",".join(repr(float(v)) for v in mean),
            "vitx.std": ",".join(repr(float(v)) for v in std),
            "vitx.class_names": json.dumps(class_names),
        }


def param_shapes(a):
    """(name, shape) in timm's state_dict order."""
    D, C, P, F, K, N = a.embed_dim, a.in_chans, a.patch_size, a.mlp_hidden, a.num_classes, a.num_tokens
    out = [("cls_token", (1, 1, D))]
    if a.distilled:
        out.append(("dist_token", (1, 1, D)))
    out += [("pos_embed", (1, N, D)),
            ("patch_embed.proj.weight", (D, C, P, P)),
            ("patch_embed.proj.bias", (D,))]
    for i in range(a.depth):
        b = "blocks.%d." % i
        out += [(b + "norm1.weight", (D,)), (b + "norm1.bias", (D,)),
                (b + "attn.qkv.weight", (3 * D, D)), (b + "attn.qkv.bias", (3 * D,)),
                (b + "attn.proj.weight", (D, D)), (b + "attn.proj.bias", (D,)),
                (b + "norm2.weight", (D,)), (b + "norm2.bias", (D,)),
                (b + "mlp.fc1.weight", (F, D)), (b + "mlp.fc1.bias", (F,)),
                (b + "mlp.fc2.weight", (D, F)), (b + "mlp.fc2.bias", (D,))]
    out += [("norm.weight", (D,)), ("norm.bias", (D,)),
            ("head.weight", (K, D)), ("head.bias", (K,))]
    if a.distilled:
        out += [("head_dist.weight", (K, D)), ("head_dist.bias", (K,))]
    return out


# ----------------------------------------------------------------------------
# random weights with a non-trivial scale (small cases)

def random_params(a, gen):
    """Gaussian weights large enough that attention is far from uniform and
    every layer matters; stored precision is float32, so values are rounded
    to float32 before the float64 reference is computed."""
    p = {}
    for name, shape in param_shapes(a):
        leaf = name.split(".")[-1]
        if name in ("cls_token", "dist_token", "pos_embed"):
            t = 0.5 * torch.randn(shape, generator=gen, dtype=torch.float64)
        elif ".norm" in name or name.startswith("norm"):
            if leaf == "weight":
                t = 1.0 + 0.2 * torch.randn(shape, generator=gen, dtype=torch.float64)
            else:
                t = 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        elif leaf == "bias":
            t = 0.1 * torch.randn(shape, generator=gen, dtype=torch.float64)
        else:
            fan_in = int(np.prod(shape[1:]))
            # std between 0.1 and 0.3 for these sizes; qkv larger so the
            # softmax is peaked
            gain = 1.6 if "qkv" in name else 1.0
            std = min(0.3, max(0.1, gain / math.sqrt(fan_in)))
            t = std * torch.randn(shape, generator=gen, dtype=torch.float64)
        p[name] = t.to(torch.float32).to(torch.float64)
    return p


# ----------------------------------------------------------------------------
# the formula weights of the DeiT-S-shaped case (reproduced by the C test)

MASK64 = (1 << 64) - 1
SPLITMIX_GAMMA = 0x9E3779B97F4A7C15


def fnv1a64(s):
    h = 0xCBF29CE484222325
    for byte in s.encode("utf-8"):
        h ^= byte
        h = (h * 0x100000001B3) & MASK64
    return h


def formula_scale(name):
    """(centre, half-width a) of the uniform distribution of a tensor."""
    leaf = name.split(".")[-1]
    if name in ("cls_token", "dist_token", "pos_embed"):
        return 0.0, 0.5
    if name.endswith("norm1.weight") or name.endswith("norm2.weight") or name == "norm.weight":
        return 1.0, 0.25
    if leaf == "bias":
        return 0.0, 0.1
    table = {
        "patch_embed.proj.weight": 0.0625,
        "attn.qkv.weight": 0.125,
        "attn.proj.weight": 0.0625,
        "mlp.fc1.weight": 0.0875,
        "mlp.fc2.weight": 0.03125,
        "head.weight": 0.0875,
        "head_dist.weight": 0.0875,
    }
    for suffix, a in table.items():
        if name.endswith(suffix):
            return 0.0, a
    raise KeyError(name)


def formula_tensor(name, shape):
    """w[i] = centre + a * s_i (float32 arithmetic), s_i = (hi24(z_i) - 2^23) / 2^23,
    z_i = splitmix64_mix(fnv1a64(name) + (i + 1) * 0x9E3779B97F4A7C15 mod 2^64),
    i the row-major element index in timm's shape."""
    n = int(np.prod(shape))
    centre, a = formula_scale(name)
    with np.errstate(over="ignore"):
        idx = np.arange(1, n + 1, dtype=np.uint64)
        z = np.uint64(fnv1a64(name)) + idx * np.uint64(SPLITMIX_GAMMA)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    hi = (z >> np.uint64(40)).astype(np.int64) - (1 << 23)
    s = hi.astype(np.float32) * np.float32(1.0 / 8388608.0)      # exact
    w = np.float32(a) * s
    if centre != 0.0:
        w = w + np.float32(centre)
    return w.astype(np.float32).reshape(shape)


def formula_params(a):
    return {name: torch.from_numpy(formula_tensor(name, shape)).to(torch.float64)
            for name, shape in param_shapes(a)}


# ----------------------------------------------------------------------------
# the model (timm VisionTransformer, eval mode), plain torch

def layer_norm(x, w, b):
    return torch.nn.functional.layer_norm(x, (x.shape[-1],), w, b, LN_EPS)


def vit_forward(a, p, images, trace=None, sharpness=None):
    """images (B, C, S, S) -> logits (B, K). trace, if a dict, receives
    attn_out.<i> (B, N, D) and block_out.<i> (B, N, D); sharpness, if a list,
    the mean largest softmax probability of each block (1/N = uniform)."""
    B = images.shape[0]
    D, H = a.embed_dim, a.num_heads
    Dh = D // H
    x = torch.nn.functional.conv2d(images, p["patch_embed.proj.weight"],
                                   p["patch_embed.proj.bias"], stride=a.patch_size)
    x = x.flatten(2).transpose(1, 2)                                  # (B, Np, D)
    tokens = [p["cls_token"].expand(B, -1, -1)]
    if a.distilled:
        tokens.append(p["dist_token"].expand(B, -1, -1))
    x = torch.cat(tokens + [x], dim=1) + p["pos_embed"]              # (B, N, D)
    N = x.shape[1]
    for i in range(a.depth):
        b = "blocks.%d." % i
        h = layer_norm(x, p[b + "norm1.weight"], p[b + "norm1.bias"])
        qkv = torch.nn.functional.linear(h, p[b + "attn.qkv.weight"], p[b + "attn.qkv.bias"])
        qkv = qkv.reshape(B, N, 3, H, Dh).permute(2, 0, 3, 1, 4)      # (3, B, H, N, Dh)
        q, k, v = qkv[0], qkv[1], qkv[2]
        s = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(Dh))
        s = s.softmax(dim=-1)
        if sharpness is not None:
            sharpness.append(float(s.max(dim=-1).values.mean()))
        o = (s @ v).transpose(1, 2).reshape(B, N, D)                  # heads concatenated
        if trace is not None:
            trace["attn_out.%d" % i] = o
        x = x + torch.nn.functional.linear(o, p[b + "attn.proj.weight"], p[b + "attn.proj.bias"])
        h = layer_norm(x, p[b + "norm2.weight"], p[b + "norm2.bias"])
        h = torch.nn.functional.linear(h, p[b + "mlp.fc1.weight"], p[b + "mlp.fc1.bias"])
        h = torch.nn.functional.gelu(h)                               # exact erf GELU
        x = x + torch.nn.functional.linear(h, p[b + "mlp.fc2.weight"], p[b + "mlp.fc2.bias"])
        if trace is not None:
            trace["block_out.%d" % i] = x
    x = layer_norm(x, p["norm.weight"], p["norm.bias"])
    logits = torch.nn.functional.linear(x[:, 0], p["head.weight"], p["head.bias"])
    if a.distilled:
        logits_dist = torch.nn.functional.linear(x[:, 1], p["head_dist.weight"], p["head_dist.bias"])
        logits = (logits + logits_dist) / 2
    return logits


# ----------------------------------------------------------------------------
# safetensors, written by hand

def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, array-like); everything stored as little-endian F32."""
    header = {}
    blobs = []
    offset = 0
    for name, value in tensors:
        if isinstance(value, torch.Tensor):
            value = value.detach().cpu().numpy()
        arr = np.ascontiguousarray(np.asarray(value, dtype="<f4"))
        raw = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape),
                        "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((-len(text)) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    os.replace(tmp, path)
    return os.path.getsize(path)


def read_safetensors(path):
    """Read back (used to verify what was written)."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, info in header.items():
        b, e = info["data_offsets"]
        out[name] = np.frombuffer(data[8 + n + b:8 + n + e], dtype="<f4").reshape(info["shape"])
    return out, meta


# ----------------------------------------------------------------------------
# cases

CASES = {
    "tiny": dict(arch=Arch(28, 4, 1, 10, 32, 3, 4, 64, False), batch=4, seed=1001,
                 mean=[0.2860], std=[0.3530], classes=FASHION_CLASSES, formula=False),
    "dist": dict(arch=Arch(32, 8, 3, 10, 32, 3, 2, 64, True), batch=4, seed=2002,
                 mean=[0.4914, 0.4822, 0.4465], std=[0.2470, 0.2435, 0.2616],
                 classes=["class%d" % k for k in range(10)], formula=False),
    "deits": dict(arch=Arch(224, 16, 3, 1000, 384, 12, 6, 1536, False), batch=2, seed=3003,
                  mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225],
                  classes=None, formula=True),
}

# DeiT-S intermediates at all 197 tokens would be ~15 MB; keep the class
# token, every 8th patch token and the last one (27 tokens) of each block.
DEITS_TOKENS = [0] + list(range(1, 197, 8)) + [196]


def max_abs(a, b):
    return float((a - b).abs().max())


def run_case(name, cfg, out_dir):
    a = cfg["arch"]
    gen = torch.Generator().manual_seed(cfg["seed"])
    if cfg["formula"]:
        p = formula_params(a)
    else:
        p = random_params(a, gen)
    images = torch.randn((cfg["batch"], a.in_chans, a.img_size, a.img_size),
                         generator=gen, dtype=torch.float64)
    images = images.to(torch.float32).to(torch.float64)

    trace = {}
    sharp = []
    with torch.no_grad():
        logits = vit_forward(a, p, images, trace, sharp)
        # how far plain float32 arithmetic lands from the float64 reference:
        # the engine's error budget for the 1e-4 tolerance
        trace32 = {}
        p32 = {k: v.to(torch.float32) for k, v in p.items()}
        logits32 = vit_forward(a, p32, images.to(torch.float32), trace32)

    err = {"logits": max_abs(logits, logits32.double())}
    for k in trace:
        err[k] = max_abs(trace[k], trace32[k].double())
    tok = DEITS_TOKENS if name == "deits" else None

    io = [("input", images), ("logits", logits)]
    for i in range(a.depth):
        for kind in ("attn_out", "block_out"):
            t = trace["%s.%d" % (kind, i)]
            if tok is not None:
                t = t[:, tok, :]
            io.append(("%s.%d" % (kind, i), t))
    meta = {"vitx.case": name, "vitx.batch": str(cfg["batch"]), "vitx.seed": str(cfg["seed"]),
            "vitx.generator": "tools/make_forward_reference.py"}
    if tok is not None:
        io.append(("tokens", np.asarray(tok, dtype=np.float32)))
        meta["vitx.tokens"] = ",".join(str(t) for t in tok)
        meta["vitx.weights"] = "formula (tests/data/README.md)"
        meta.update(a.metadata(cfg["mean"], cfg["std"], []))
    io_path = os.path.join(out_dir, "ref-%s-io.safetensors" % name)
    sizes = {io_path: write_safetensors(io_path, io, meta)}

    if not cfg["formula"]:
        model_path = os.path.join(out_dir, "ref-%s.safetensors" % name)
        mmeta = a.metadata(cfg["mean"], cfg["std"], cfg["classes"])
        mmeta["vitx.seed"] = str(cfg["seed"])
        mmeta["vitx.train_command"] = "random weights: tools/make_forward_reference.py --only %s" % name
        sizes[model_path] = write_safetensors(model_path, [(k, p[k]) for k, _ in param_shapes(a)], mmeta)
        back, _ = read_safetensors(model_path)
        for k, _ in param_shapes(a):
            assert np.array_equal(back[k], p[k].numpy().astype(np.float32)), k

    back, _ = read_safetensors(io_path)
    assert np.array_equal(back["logits"], logits.numpy().astype(np.float32))

    print("%s: N=%d logits range [%.3f, %.3f], block_out max |x| %.2f" % (
        name, a.num_tokens, float(logits.min()), float(logits.max()),
        max(float(trace["block_out.%d" % i].abs().max()) for i in range(a.depth))))
    worst = max(err.items(), key=lambda kv: kv[1])
    print("  float32-vs-float64 in torch: logits %.2e, worst %s %.2e" % (err["logits"], worst[0], worst[1]))
    print("  mean largest softmax probability per block (uniform %.4f): %s" % (
        1.0 / a.num_tokens, " ".join("%.3f" % v for v in sharp)))
    for path, size in sizes.items():
        print("  wrote %s (%d bytes)" % (path, size))
    return err


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="tests/data", help="output directory (default tests/data)")
    ap.add_argument("--only", choices=sorted(CASES), action="append",
                    help="write only this case (repeatable)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for name in (args.only or list(CASES)):
        run_case(name, CASES[name], args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
