#!/usr/bin/python3
# make_train_reference.py: PyTorch reference for one full ViT training step.
#
# A small random ViT in timm layout (the "tiny" architecture of
# make_forward_reference.py, another seed) takes one step on a batch of 8:
# cross-entropy with label smoothing 0.1, backward, gradient clipping by global
# L2 norm (torch.nn.utils.clip_grad_norm_, max 1.0), one torch.optim.AdamW
# step with weight decay only on matrices (ndim >= 2, tokens and pos_embed
# excluded). Everything runs in float64; tensors are stored as float32.
#
# Run by hand from the repository root (needs Debian's python3-torch, numpy):
#     /usr/bin/python3 tools/make_train_reference.py [--out tests/data]
# tests/data/README.md describes the file this writes.

import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_forward_reference import (Arch, FASHION_CLASSES, param_shapes,  # noqa: E402
                                    random_params, read_safetensors, vit_forward,
                                    write_safetensors)

torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))

ARCH = Arch(28, 4, 1, 10, 32, 3, 4, 64, False)
SEED = 4004
BATCH = 8
LABEL_SMOOTHING = 0.1
LR = 1e-3
BETAS = (0.9, 0.999)
EPS = 1e-8
WEIGHT_DECAY = 0.05
CLIP = 1.0
NO_DECAY = ("cls_token", "dist_token", "pos_embed")


def decays(name, shape):
    return len(shape) >= 2 and name not in NO_DECAY


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="tests/data", help="output directory (default tests/data)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    a = ARCH
    gen = torch.Generator().manual_seed(SEED)
    init = random_params(a, gen)                                # float32 values in float64
    images = torch.randn((BATCH, a.in_chans, a.img_size, a.img_size), generator=gen,
                         dtype=torch.float64).to(torch.float32).to(torch.float64)
    labels = torch.randint(0, a.num_classes, (BATCH,), generator=gen)

    names = [n for n, _ in param_shapes(a)]
    params = {n: torch.nn.Parameter(init[n].clone()) for n in names}
    decay = [params[n] for n in names if decays(n, init[n].shape)]
    no_decay = [params[n] for n in names if not decays(n, init[n].shape)]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": WEIGHT_DECAY},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=LR, betas=BETAS, eps=EPS)

    opt.zero_grad()
    logits = vit_forward(a, params, images)
    loss = torch.nn.functional.cross_entropy(logits, labels, label_smoothing=LABEL_SMOOTHING)
    loss.backward()
    grads = {n: params[n].grad.detach().clone() for n in names}
    grad_norm = torch.nn.utils.clip_grad_norm_([params[n] for n in names], CLIP)
    if not float(grad_norm) > CLIP:
        raise SystemExit("gradient norm %.4f does not exceed the clip %.1f: pick another seed"
                         % (float(grad_norm), CLIP))
    opt.step()

    # independent check of the clipping and the AdamW arithmetic (first step)
    coef = min(1.0, CLIP / (float(grad_norm) + 1e-6))
    total = torch.sqrt(sum((g ** 2).sum() for g in grads.values()))
    assert abs(float(total) - float(grad_norm)) < 1e-12 * float(total)
    for n in names:
        g = grads[n] * coef
        m_hat = g                       # (1 - b1) g / (1 - b1)
        v_hat = g * g                   # (1 - b2) g^2 / (1 - b2)
        wd = WEIGHT_DECAY if decays(n, init[n].shape) else 0.0
        expect = init[n] * (1 - LR * wd) - LR * m_hat / (v_hat.sqrt() + EPS)
        assert torch.allclose(expect, params[n].detach(), rtol=0, atol=1e-15), n

    tensors = [(n, init[n]) for n in names]
    tensors += [("input", images), ("labels", labels.to(torch.float64)),
                ("logits", logits.detach()),
                ("loss", loss.detach().reshape(1)), ("grad_norm", grad_norm.detach().reshape(1))]
    tensors += [("grad." + n, grads[n]) for n in names]
    tensors += [("after." + n, params[n].detach()) for n in names]
    meta = a.metadata([0.2860], [0.3530], FASHION_CLASSES)
    meta.update({
        "vitx.seed": str(SEED),
        "vitx.batch": str(BATCH),
        "vitx.label_smoothing": repr(LABEL_SMOOTHING),
        "vitx.lr": repr(LR),
        "vitx.weight_decay": repr(WEIGHT_DECAY),
        "vitx.clip": repr(CLIP),
        "vitx.betas": "%r,%r" % BETAS,
        "vitx.eps": repr(EPS),
        "vitx.clip_coef": repr(coef),
        "vitx.generator": "tools/make_train_reference.py",
    })
    path = os.path.join(args.out, "train-step.safetensors")
    size = write_safetensors(path, tensors, meta)
    back, _ = read_safetensors(path)
    assert np.array_equal(back["after.head.weight"],
                          params["head.weight"].detach().numpy().astype(np.float32))

    all_g = torch.cat([g.flatten() for g in grads.values()]).abs()
    step = torch.cat([(params[n].detach() - init[n]).flatten() for n in names]).abs()
    print("loss %.6f  grad_norm %.6f (clip coefficient %.6f)  labels %s" % (
        float(loss), float(grad_norm), coef, labels.tolist()))
    print("  |grad| min %.3e median %.3e max %.3e; %d of %d below 1e-6" % (
        float(all_g.min()), float(all_g.median()), float(all_g.max()),
        int((all_g < 1e-6).sum()), all_g.numel()))
    print("  |after - before| max %.3e" % float(step.max()))
    print("  wrote %s (%d bytes)" % (path, size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
