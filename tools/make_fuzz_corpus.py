#!/usr/bin/python3
"""Writes the seed corpora of the libFuzzer harnesses (tests/fuzz/corpus-*/).

Run by hand from the repository root; the output is committed and
deterministic (fixed seeds). Each corpus holds a few valid inputs, so the
fuzzer starts deep inside the parsers, and a few broken ones, one per kind of
damage the loaders must report. Files whose name starts with "regress-" are
inputs that once crashed a loader; this script never writes or deletes them.
Nor "seed-explorer-*" study files: those were written by the explorer itself
(vx_study_save of a tiny random model's staged results, compacted) and are the
valid studies the broken ones below are derived from.

    /usr/bin/python3 tools/make_fuzz_corpus.py

Needs only the standard library and PIL (python3-pil) for the JPEG seeds.
"""
import gzip
import io
import json
import os
import random
import struct
import sys
import zlib

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fuzz")


def write(corpus, name, data):
    d = os.path.join(ROOT, "corpus-" + corpus)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def clean(corpus):
    d = os.path.join(ROOT, "corpus-" + corpus)
    if os.path.isdir(d):
        for n in os.listdir(d):
            if not n.startswith("regress-") and not n.startswith("seed-explorer-"):
                os.remove(os.path.join(d, n))


# ---- safetensors -------------------------------------------------------------------

def f16_bits(x):
    return struct.unpack("<H", struct.pack("<e", x))[0]


def encode(values, dtype):
    if dtype == "F32":
        return struct.pack("<%df" % len(values), *values)
    if dtype == "F16":
        return struct.pack("<%dH" % len(values), *[f16_bits(v) for v in values])
    if dtype == "BF16":  # truncation of the float32 bits
        return b"".join(struct.pack("<H", struct.unpack("<I", struct.pack("<f", v))[0] >> 16)
                        for v in values)
    raise ValueError(dtype)


def safetensors(tensors, metadata=None, dtype="F32", header_override=None):
    """tensors: list of (name, shape, values); returns the file bytes"""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    for name, shape, values in tensors:
        raw = encode(values, dtype)
        header[name] = {"dtype": dtype, "shape": shape,
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = header_override if header_override is not None else json.dumps(header, separators=(",", ":"))
    h = text.encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    return struct.pack("<Q", len(h)) + h + data


def vit_tensors(rng, D=4, C=1, P=2, S=4, depth=1, F=8, K=3, distilled=False):
    N = (S // P) ** 2 + 1 + (1 if distilled else 0)

    def t(name, *shape):
        n = 1
        for s in shape:
            n *= s
        vals = [1.0 if name.endswith("norm1.weight") or name.endswith("norm2.weight")
                or name == "norm.weight" else round(rng.uniform(-0.5, 0.5), 3) for _ in range(n)]
        return (name, list(shape), vals)

    out = [t("patch_embed.proj.weight", D, C, P, P), t("patch_embed.proj.bias", D),
           t("cls_token", 1, 1, D)]
    if distilled:
        out.append(t("dist_token", 1, 1, D))
    out.append(t("pos_embed", 1, N, D))
    for l in range(depth):
        b = "blocks.%d." % l
        out += [t(b + "norm1.weight", D), t(b + "norm1.bias", D),
                t(b + "attn.qkv.weight", 3 * D, D), t(b + "attn.qkv.bias", 3 * D),
                t(b + "attn.proj.weight", D, D), t(b + "attn.proj.bias", D),
                t(b + "norm2.weight", D), t(b + "norm2.bias", D),
                t(b + "mlp.fc1.weight", F, D), t(b + "mlp.fc1.bias", F),
                t(b + "mlp.fc2.weight", D, F), t(b + "mlp.fc2.bias", D)]
    out += [t("norm.weight", D), t("norm.bias", D), t("head.weight", K, D), t("head.bias", K)]
    if distilled:
        out += [t("head_dist.weight", K, D), t("head_dist.bias", K)]
    return out


def make_safetensors():
    clean("safetensors")
    rng = random.Random(8)
    meta = {"vitx.num_heads": "1", "vitx.mean": "0.5", "vitx.std": "0.25",
            "vitx.class_names": json.dumps(["a", "b", "c"]), "vitx.seed": "8"}
    tiny = vit_tensors(rng)
    write("safetensors", "valid-tiny-f32.safetensors", safetensors(tiny, meta))
    write("safetensors", "valid-tiny-f16.safetensors", safetensors(tiny, meta, "F16"))
    write("safetensors", "valid-tiny-bf16.safetensors", safetensors(tiny, meta, "BF16"))
    dist = vit_tensors(rng, D=2, C=3, P=1, S=2, depth=2, F=4, K=2, distilled=True)
    write("safetensors", "valid-distilled-rgb.safetensors",
          safetensors(dist, {"vitx.num_heads": "2", "vitx.mean": "0.1,0.2,0.3",
                             "vitx.std": "1,1,1", "vitx.ln_eps": "1e-5"}))
    write("safetensors", "valid-two-tensors.safetensors",
          safetensors([("a", [2, 2], [1, 2, 3, 4]), ("b", [0], []), ("c", [], [7.0])],
                      {"note": "not a model"}))
    write("safetensors", "valid-empty-header.safetensors", safetensors([], None, header_override="{}"))

    good = safetensors(tiny, meta)
    write("safetensors", "broken-truncated.safetensors", good[: len(good) - 40])
    write("safetensors", "broken-header-past-end.safetensors",
          struct.pack("<Q", 1 << 40) + good[8:200])
    write("safetensors", "broken-short.safetensors", b"\x10\x00\x00")
    write("safetensors", "broken-overlap.safetensors", safetensors(
        [], header_override='{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                            '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}') + bytes(12))
    write("safetensors", "broken-out-of-range.safetensors", safetensors(
        [], header_override='{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}') + bytes(8))
    write("safetensors", "broken-numel-overflow.safetensors", safetensors(
        [], header_override='{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],'
                            '"data_offsets":[0,0]}}'))
    write("safetensors", "broken-duplicate.safetensors", safetensors(
        [], header_override='{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                            '"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}') + bytes(8))
    write("safetensors", "broken-dtype.safetensors", safetensors(
        [], header_override='{"a":{"dtype":"F64","shape":[1],"data_offsets":[0,8]}}') + bytes(8))
    write("safetensors", "broken-nan.safetensors", safetensors(
        [(n, s, [float("nan")] * len(v)) if n == "head.bias" else (n, s, v) for n, s, v in tiny], meta))
    write("safetensors", "broken-shape-mismatch.safetensors", safetensors(
        [(n, [s[0] + 1] + s[1:], v + [0.0] * (len(v) // s[0])) if n == "head.bias" else (n, s, v)
         for n, s, v in tiny], meta))
    write("safetensors", "broken-deep-json.safetensors",
          safetensors([], header_override='{"a":' + "[" * 40 + "]" * 40 + "}"))


# ---- IDX ---------------------------------------------------------------------------

def idx(magic, dims, payload):
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + bytes(payload)


def idx_pair(images, labels, mnist_names=False):
    """the harness's layout: flags, u32 LE images length, images, labels"""
    return bytes([1 if mnist_names else 0]) + struct.pack("<I", len(images)) + images + labels


def make_idx():
    clean("idx")
    rng = random.Random(3)
    n, h, w = 6, 4, 3
    pixels = [rng.randrange(256) for _ in range(n * h * w)]
    labels = [i % 3 for i in range(n)]
    img = idx(0x803, [n, h, w], pixels)
    lab = idx(0x801, [n], labels)
    write("idx", "valid-plain", idx_pair(img, lab))
    write("idx", "valid-mnist-names", idx_pair(img, idx(0x801, [n], [9, 0, 1, 2, 3, 4]), True))
    gz = lambda b: gzip.compress(b, mtime=0)
    write("idx", "valid-gzip-both", idx_pair(gz(img), gz(lab)))
    write("idx", "valid-gzip-labels", idx_pair(img, gz(lab)))
    write("idx", "valid-one-pixel", idx_pair(idx(0x803, [1, 1, 1], [200]), idx(0x801, [1], [0])))

    write("idx", "broken-bad-magic", idx_pair(idx(0x12345678, [n, h, w], pixels), lab))
    write("idx", "broken-int-type", idx_pair(idx(0xC03, [n, h, w], pixels), lab))
    write("idx", "broken-swapped", idx_pair(lab, img))
    write("idx", "broken-huge-dims", idx_pair(idx(0x803, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF], pixels), lab))
    write("idx", "broken-2gb-claim", idx_pair(idx(0x803, [2, 32768, 32768], pixels), lab))
    write("idx", "broken-short-payload", idx_pair(idx(0x803, [n, h, w], pixels[:-5]), lab))
    write("idx", "broken-long-payload", idx_pair(img, lab + b"\x00"))
    write("idx", "broken-count-mismatch", idx_pair(img, idx(0x801, [n - 1], labels[:-1])))
    write("idx", "broken-mnist-label-10", idx_pair(img, idx(0x801, [n], [10] * n), True))
    write("idx", "broken-zero-images", idx_pair(idx(0x803, [0, h, w], []), idx(0x801, [0], [])))
    write("idx", "broken-gzip-truncated", idx_pair(gz(img)[:-9], lab))
    write("idx", "broken-header-cut", idx_pair(img[:7], lab))


# ---- images ------------------------------------------------------------------------

def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, color_type, bit_depth, rows, palette=None):
    """rows: list of raw scanline bytes (without the filter byte)"""
    out = b"\x89PNG\r\n\x1a\n"
    out += png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0))
    if palette:
        out += png_chunk(b"PLTE", palette)
    out += png_chunk(b"IDAT", zlib.compress(b"".join(b"\x00" + r for r in rows), 9))
    return out + png_chunk(b"IEND", b"")


def make_images():
    clean("image-folder")
    rng = random.Random(5)
    rnd = lambda n: bytes(rng.randrange(256) for _ in range(n))
    write("image-folder", "valid-grey-5x3.png", png(5, 3, 0, 8, [rnd(5) for _ in range(3)]))
    write("image-folder", "valid-rgb-6x9.png", png(6, 9, 2, 8, [rnd(18) for _ in range(9)]))
    write("image-folder", "valid-rgba-4x4.png", png(4, 4, 6, 8, [rnd(16) for _ in range(4)]))
    write("image-folder", "valid-grey16-3x3.png", png(3, 3, 0, 16, [rnd(6) for _ in range(3)]))
    write("image-folder", "valid-palette-4x2.png",
          png(4, 2, 3, 8, [bytes([0, 1, 2, 1]), bytes([2, 2, 0, 1])], palette=rnd(9)))
    write("image-folder", "valid-wide-40x2.png", png(40, 2, 2, 8, [rnd(120) for _ in range(2)]))
    try:
        from PIL import Image
    except ImportError:
        sys.exit("make_fuzz_corpus.py: needs PIL (python3-pil) for the JPEG seeds")
    for name, mode, size in [("valid-rgb-8x8.jpg", "RGB", (8, 8)), ("valid-grey-7x5.jpg", "L", (7, 5))]:
        im = Image.frombytes(mode, size, rnd(size[0] * size[1] * len(mode)))
        buf = io.BytesIO()
        im.save(buf, format="JPEG", quality=80)
        write("image-folder", name, buf.getvalue())
    # a progressive JPEG takes another decoder path
    im = Image.frombytes("RGB", (9, 9), rnd(243))
    buf = io.BytesIO()
    im.save(buf, format="JPEG", quality=70, progressive=True)
    write("image-folder", "valid-progressive-9x9.jpg", buf.getvalue())

    good = png(6, 9, 2, 8, [rnd(18) for _ in range(9)])
    write("image-folder", "broken-empty.png", b"")
    write("image-folder", "broken-truncated.png", good[: len(good) // 2])
    write("image-folder", "broken-30000x30000.png", png(30000, 30000, 0, 8, [b""]))
    write("image-folder", "broken-bad-crc.png", good[:30] + bytes([good[30] ^ 0xFF]) + good[31:])
    write("image-folder", "broken-zero-width.png", png(0, 4, 0, 8, [b""] * 4))
    write("image-folder", "broken-text.png", b"this is not an image\n")
    jpg = io.BytesIO()
    Image.frombytes("RGB", (8, 8), rnd(192)).save(jpg, format="JPEG")
    write("image-folder", "broken-truncated.jpg", jpg.getvalue()[:100])
    # formats other than PNG and JPEG, under an image name
    write("image-folder", "broken-other-format-bmp.png",
          b"BM" + struct.pack("<IHHI", 58, 0, 0, 54) + struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, 4, 0, 0, 0, 0)
          + b"\x10\x20\x30\x00")
    write("image-folder", "broken-other-format-svg.png",
          b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
          b'<rect width="4" height="4" fill="red"/></svg>\n')


# ---- study files ---------------------------------------------------------------------

def make_studies():
    clean("study")
    d = os.path.join(ROOT, "corpus-study")
    with open(os.path.join(d, "seed-explorer-clipformer-result.vitx-study")) as f:
        full = json.load(f)
    with open(os.path.join(d, "seed-explorer-settings-only.vitx-study")) as f:
        bare = json.load(f)
    dump = lambda o: json.dumps(o, separators=(",", ":")).encode()

    def edited(base, edit):
        o = json.loads(json.dumps(base))
        edit(o)
        return dump(o)

    cur = lambda o: o["results"]["current"]
    write("study", "valid-no-results.vitx-study", edited(bare, lambda o: o.pop("results")))
    write("study", "valid-null-strings.vitx-study",
          edited(full, lambda o: o.update(model=None, dataset=None, saved=None, ideal_top1=None)))
    write("study", "broken-format.vitx-study", edited(bare, lambda o: o.update(format="something-else")))
    write("study", "broken-version.vitx-study", edited(bare, lambda o: o.update(version=2)))
    write("study", "broken-version-string.vitx-study", edited(bare, lambda o: o.update(version="1")))
    write("study", "broken-no-settings.vitx-study", edited(bare, lambda o: o.pop("settings")))
    write("study", "broken-gamma-negative.vitx-study",
          edited(bare, lambda o: o["settings"]["crossbar"].update(gamma=-1)))
    write("study", "broken-xbar-zero.vitx-study",
          edited(bare, lambda o: o["settings"]["crossbar"].update(xbar_size=0)))
    write("study", "broken-adc-40.vitx-study",
          edited(bare, lambda o: o["settings"]["crossbar"].update(adc_bits=40)))
    write("study", "broken-beta-zero.vitx-study",
          edited(bare, lambda o: o["settings"]["crossbar"].update(beta=0)))
    write("study", "broken-images-huge.vitx-study", edited(bare, lambda o: o["settings"].update(images=2**31)))
    write("study", "broken-model-number.vitx-study", edited(bare, lambda o: o.update(model=3)))
    write("study", "broken-ideal-string.vitx-study", edited(bare, lambda o: o.update(ideal_top1="high")))
    write("study", "broken-depth-huge.vitx-study", edited(full, lambda o: cur(o).update(depth=100000000)))
    write("study", "broken-classes-negative.vitx-study", edited(full, lambda o: cur(o).update(num_classes=-3)))
    write("study", "broken-correct-over-done.vitx-study",
          edited(full, lambda o: cur(o).update(correct_runs=[999999])))
    write("study", "broken-snr-string.vitx-study", edited(full, lambda o: cur(o).update(snr_db=["loud"])))
    write("study", "broken-hist-bins.vitx-study",
          edited(full, lambda o: cur(o)["histograms"][0].update(bins=127)))
    write("study", "broken-hist-bins-negative.vitx-study",
          edited(full, lambda o: cur(o)["histograms"][0].update(bins=-5)))
    write("study", "broken-results-array.vitx-study", edited(full, lambda o: o.update(results=[1, 2])))
    write("study", "broken-truncated.vitx-study", dump(full)[:1500])
    write("study", "broken-not-json.vitx-study", b"\xff\xfe{\"format\"")
    write("study", "broken-empty.vitx-study", b"")
    write("study", "broken-deep-64.vitx-study",
          b'{"format":"vitx-explorer-study","version":1,"settings":' + b"[" * 65 + b"]" * 65 + b"}")


if __name__ == "__main__":
    make_safetensors()
    make_idx()
    make_images()
    make_studies()
