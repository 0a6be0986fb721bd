"""Issue 14's figures: recall of stripped copies, false matches, lookup time among 1,000,000 fingerprints, memory per
million, and the signing cost of the fingerprint on a 12 MP JPEG.

    PYTHONPATH=src python bench/registry.py [--shared ../shared]

Photographs: every picture of the corpora in ../shared that Pillow decodes (distinct pixels only), plus distinct
512x512 tiles of the larger real photographs (different regions are different photographs); never noise.
Variants: JPEG q60, resized to 50 %, a 0.8x screenshot saved as PNG, +10 % brightness, and a 10 % crop (5 % off
each side), reported apart since fingerprints of the whole picture are not made for crops.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageEnhance

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from handmade.fingerprint import DEFAULT_THRESHOLD, fingerprint  # noqa: E402
from handmade.registry import _Index  # noqa: E402

TILE = 512


def photographs(shared: Path) -> list[Image.Image]:
    seen: set[str] = set()
    out: list[Image.Image] = []
    for folder in ("corpus", "corpus-external"):
        for path in sorted((shared / folder).glob("*")):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp"):
                continue
            try:
                with Image.open(path) as im:
                    im.load()
                    rgb = im.convert("RGB")
            except Exception:  # a corpus file Pillow cannot decode is left out
                continue
            if min(rgb.size) < 128:
                continue
            key = hashlib.sha256(rgb.resize((64, 64)).tobytes()).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            out.append(rgb)
            if min(rgb.size) >= 2 * TILE:  # a large real photograph: its regions are photographs of their own
                for y in range(0, rgb.height - TILE + 1, TILE):
                    for x in range(0, rgb.width - TILE + 1, TILE):
                        out.append(rgb.crop((x, y, x + TILE, y + TILE)))
    return out


def encode(im: Image.Image, fmt: str = "JPEG", quality: int = 92) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **({"quality": quality} if fmt == "JPEG" else {}))
    return buf.getvalue()


VARIANTS = {
    "jpeg_q60": lambda im: encode(im, quality=60),
    "resize_50": lambda im: encode(im.resize((im.width // 2, im.height // 2), Image.Resampling.BILINEAR)),
    "screenshot_0.8_png": lambda im: encode(im.resize((int(im.width * 0.8), int(im.height * 0.8))), "PNG"),
    "brightness_+10": lambda im: encode(ImageEnhance.Brightness(im).enhance(1.1)),
    "crop_10": lambda im: encode(im.crop((im.width // 20, im.height // 20, im.width - im.width // 20,
                                          im.height - im.height // 20))),
}


def fp(data: bytes) -> int:
    found = fingerprint(data)
    assert found is not None
    return found.bits


def recall(photos: list[Image.Image]) -> None:
    originals = [fp(encode(im)) for im in photos]
    index = _Index()
    index.extend([(i + 1, b - (1 << 64) if b >= 1 << 63 else b) for i, b in enumerate(originals)])
    print(f"photographs: {len(photos)} (threshold {DEFAULT_THRESHOLD} of 64 bits)")
    for name, make in VARIANTS.items():
        top = within = 0
        for i, im in enumerate(photos):
            found = index.search(fp(make(im)), DEFAULT_THRESHOLD, 5)
            within += bool(found)
            top += bool(found) and found[0][0] == i + 1
        print(f"  {name:<20} top candidate is the original: {top}/{len(photos)} = {100 * top / len(photos):.1f} %"
              f"  (some candidate: {within})")
    # False matches: each photograph against all the others (different photographs), under the threshold.
    arr = np.array(originals, dtype=np.uint64)
    pairs = close = 0
    images_with_false = 0
    for i in range(len(arr)):
        d = np.bitwise_count(arr ^ arr[i])
        d[i] = 99
        n = int((d <= DEFAULT_THRESHOLD).sum())
        close += n
        images_with_false += n > 0
        pairs += len(arr) - 1
    print(f"  false matches: {images_with_false}/{len(arr)} photographs have an unrelated one within the threshold; "
          f"{close // 2} of {pairs // 2} pairs")


def scale(n: int = 1_000_000, queries: int = 1000) -> None:
    rng = np.random.default_rng(14)
    bits = rng.integers(0, 2**64, size=n, dtype=np.uint64)
    index = _Index()
    index.ids = np.arange(1, n + 1, dtype=np.int64)
    index.bits = bits
    picks, flips = bits[rng.integers(0, n, queries)], rng.integers(0, 64, queries)
    qs = [int(b) ^ (1 << int(k)) for b, k in zip(picks, flips, strict=True)]
    times = []
    for q in qs:
        t = time.perf_counter()
        found = index.search(q, DEFAULT_THRESHOLD, 10)
        times.append(time.perf_counter() - t)
        assert found and found[0][1] <= 1
    times.sort()
    p50, p99 = times[len(times) // 2] * 1000, times[int(len(times) * 0.99)] * 1000
    py = [int(b) for b in bits]
    brute = []
    for q in qs[:5]:
        t = time.perf_counter()
        _ = sorted(((v ^ q).bit_count(), i) for i, v in enumerate(py) if (v ^ q).bit_count() <= DEFAULT_THRESHOLD)
        brute.append(time.perf_counter() - t)
    mem = (index.bits.nbytes + index.ids.nbytes) / 1e6 * 1_000_000 / n
    print(f"lookup among {n:,} fingerprints ({queries} queries): numpy XOR + bitwise_count p50 {p50:.1f} ms, "
          f"p99 {p99:.1f} ms; pure-Python brute force median {statistics.median(brute) * 1000:.0f} ms; "
          f"index memory {mem:.0f} MB per million (bits + row ids)")


def signing_cost(shared: Path) -> None:
    from handmade.sign import SignOptions, sign_bytes

    big = shared / "corpus-external" / "c2pa-org+public-testfiles__image__jpeg__truepic-20230212-library.jpg"
    with Image.open(big) as im:
        data = encode(im.convert("RGB"), quality=90)  # its pixels, without its manifest
        size = im.size
    warnings.simplefilter("ignore")
    runs: dict[bool, list[float]] = {False: [], True: []}
    for _ in range(9):
        for soft in (False, True):
            t = time.perf_counter()
            sign_bytes(data, "big.jpg", SignOptions(soft_binding=soft))
            runs[soft].append(time.perf_counter() - t)
    off, on = statistics.median(runs[False]) * 1000, statistics.median(runs[True]) * 1000
    print(f"signing a {size[0]}x{size[1]} JPEG ({size[0] * size[1] / 1e6:.1f} MP, default thumbnail): "
          f"{off:.0f} ms without the fingerprint, {on:.0f} ms with it (+{100 * (on - off) / off:.0f} %), medians of 9")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {time.strftime('%Y-%m-%d %H:%M')}")
    random.seed(14)
    t = time.perf_counter()
    recall(photographs(args.shared))
    scale()
    signing_cost(args.shared)
    print(f"bench took {time.perf_counter() - t:.0f} s")


if __name__ == "__main__":
    main()
