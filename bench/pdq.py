"""Does a crop-tolerant second fingerprint earn its place (issue 14)? PDQ (Meta's 256-bit perceptual hash, through
``pdqhash``) over the same photographs, copies and unrelated pictures as bench/registry.py.

    pip install pdqhash            # not a dependency of handmade: built from source (Cython, a C++ compiler)
    PYTHONPATH=src python bench/pdq.py [--shared ../shared]

Each original is hashed from its full pixels; each copy is matched to its nearest original, found when that is the
right one within T of 256 bits (31 is PDQ's recommended match threshold). Unrelated pictures count when any
original is within T (copies and derivatives of an original, bench/photos-derived.json, are left out). No pixel
check: this is what an index alone would offer.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

import photos  # noqa: E402  (bench/photos.py)

import registry  # noqa: E402  (bench/registry.py: the photographs and the variants)

THRESHOLDS = (31, 50, 70, 90)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    args = parser.parse_args()
    try:
        import pdqhash  # type: ignore[import-not-found]
    except ImportError:
        sys.exit("pdqhash is not installed: pip install pdqhash (it builds from source)")

    def pdq(im: Image.Image) -> Any:
        bits, _quality = pdqhash.compute(np.asarray(im.convert("RGB")))
        return np.packbits(bits.astype(np.uint8))

    pictures = registry.photographs(args.shared)
    t = time.perf_counter()
    originals = np.stack([pdq(im) for im in pictures])
    print(f"{len(pictures)} photographs, PDQ {1000 * (time.perf_counter() - t) / len(pictures):.0f} ms each "
          f"(full pixels)")

    def distances(h: Any) -> Any:
        return np.unpackbits(np.bitwise_xor(originals, h), axis=1).sum(axis=1)

    for name, make in registry.VARIANTS.items():
        found = dict.fromkeys(THRESHOLDS, 0)
        for i, im in enumerate(pictures):
            with Image.open(io.BytesIO(make(im))) as copy:
                d = distances(pdq(copy))
            nearest = int(d.argmin())
            for limit in THRESHOLDS:
                found[limit] += nearest == i and d[nearest] <= limit
        print(f"  {name:<20} " + ", ".join(f"within {limit}: {100 * n / len(pictures):.1f} %"
                                           for limit, n in found.items()))
    derived = photos.derived()
    near = dict.fromkeys(THRESHOLDS, 0)
    queried = 0
    for path in photos.unrelated(args.shared):
        try:
            with Image.open(path) as im:
                im.load()
                h = pdq(im)
        except (OSError, ValueError):
            continue
        queried += 1
        if photos.key(path) not in derived:
            nearest_d = int(distances(h).min())
            for limit in THRESHOLDS:
                near[limit] += nearest_d <= limit
    print(f"  unrelated pictures: {queried}; with an original within " +
          ", ".join(f"{limit}: {n}" for limit, n in near.items()))


if __name__ == "__main__":
    main()
