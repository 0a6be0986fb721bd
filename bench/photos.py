"""The bench's photographs for stripped-copy recovery (issue 14): a hand-picked, hand-deduplicated set.

``bench/photos.json`` lists 227 photographs, each by where it comes from and its SHA-256:

- 30 pictures of the corpora in ../shared (the photographic ones; gradients, text, logos and composites left out);
- 197 photographs shipped in Debian 12 packages (wallpapers, OpenCV's sample and tutorial photographs, scikit-image's
  sample data, Tux Paint's photographic stamps, Stellarium's landscape panoramas and deep-sky photographs, KDE's
  jigsaw pictures), fetched from Debian's package registry by ``apt-get download`` at the pinned version into a cache
  (``$HANDMADE_BENCH_PHOTOS``, by default ``~/.cache/handmade-bench/photos``; about 650 MB of packages, fetched once).

How the set was made: every JPEG, PNG and WebP of at least 256 px in those sources was drawn on contact sheets;
screenshots, diagrams, masks, drawings, renders, text and gradients were left out by eye, and of each group of
photographs of one scene (a stereo pair, the 28 frames of a calibration series, the same square at night from three
sides, two crops of one picture) one was kept. The images are not copied into the repository; their licences are
those of their packages (see each package's ``copyright`` file in the cache).
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "photos.json"


def cache_dir() -> Path:
    return Path(os.environ.get("HANDMADE_BENCH_PHOTOS", Path.home() / ".cache" / "handmade-bench" / "photos"))


def _package(deb: str) -> tuple[str, str]:
    name, version = deb.split("_")[:2]
    return name, version.replace("%3a", ":")


def fetch(cache: Path | None = None) -> Path:
    """Download (once) and unpack the Debian packages the set needs; the folder they are unpacked in."""
    cache = cache or cache_dir()
    entries = json.loads(MANIFEST.read_text())
    for deb in sorted({e["deb"] for e in entries if "deb" in e}):
        name, version = _package(deb)
        unpacked = cache / name
        if (unpacked / ".done").exists():
            continue
        cache.mkdir(parents=True, exist_ok=True)
        if not (cache / deb).exists():
            subprocess.run(["apt-get", "download", f"{name}={version}"], cwd=cache, check=True,
                           stdout=subprocess.DEVNULL)
        unpacked.mkdir(exist_ok=True)
        subprocess.run(["dpkg-deb", "-x", str(cache / deb), str(unpacked)], check=True)
        (unpacked / ".done").touch()
    return cache


def paths(shared: Path, cache: Path | None = None) -> list[Path]:
    """The set's files, in the manifest's order, each checked against its SHA-256."""
    cache = fetch(cache)
    out = []
    for entry in json.loads(MANIFEST.read_text()):
        if "shared" in entry:
            path = shared / entry["shared"]
        else:
            path = cache / _package(entry["deb"])[0] / entry["path"]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        if digest != entry["sha256"]:
            raise SystemExit(f"{path}: SHA-256 {digest}, the manifest says {entry['sha256']}")
        out.append(path)
    return out


def key(path: Path) -> str:
    """A picture's name in photos.json: ``package/path`` for a package's file, ``shared/path`` for the corpora."""
    cache = cache_dir()
    try:
        return str(path.relative_to(cache))
    except ValueError:
        return "shared/" + "/".join(path.parts[-2:])


def derived() -> dict[str, str]:
    """Pictures of the packages that are copies or derivatives of a photograph of the set (by hand: a tutorial's
    result drawn over it, a wallpaper's own preview), with why: a lookup that offers that photograph is right."""
    return dict(json.loads((HERE / "photos-derived.json").read_text()))


def unrelated(shared: Path, cache: Path | None = None) -> list[Path]:
    """Every other picture of at least 128 px (JPEG, PNG, WebP) of the packages the set comes from: the lookups
    that should find nothing, unless they are ``derived``."""
    from PIL import Image

    cache = fetch(cache)
    entries = json.loads(MANIFEST.read_text())
    picked = {e["sha256"] for e in entries}
    out = []
    for name in sorted({_package(e["deb"])[0] for e in entries if "deb" in e}):
        for path in sorted((cache / name).rglob("*")):
            if path.suffix.lower() not in (".jpg", ".jpeg", ".png", ".webp") or not path.is_file():
                continue
            if hashlib.sha256(path.read_bytes()).hexdigest() in picked:
                continue
            try:
                with Image.open(path) as im:
                    if min(im.size) < 128:
                        continue
            except Exception:
                continue
            out.append(path)
    return out
